package dev.wharf.layers.store;

import dev.wharf.layers.ReferenceGrammar;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A local image name with a tag, {@code name:tag}, as given to {@code wharf tag} or {@code -t}; the tag defaults to
 * {@code latest}.
 *
 * <p>An immutable record, thread-safe. The grammar is that of {@code github.com/distribution/reference}
 * ({@code regexp.go}, shared with registry references in {@link ReferenceGrammar}): lowercase path components separated by {@code /}, optionally after a registry host with a
 * port, and a tag of at most 128 word characters, dots and dashes. Names are kept as written: {@code alpine} is not
 * expanded to {@code docker.io/library/alpine}. Digest references ({@code name@sha256:...}) are not tags and are
 * rejected.
 *
 * @param name the repository name, e.g. {@code localhost:5000/team/app}
 * @param tag the tag, e.g. {@code 1.0}
 */
public record ImageName(String name, String tag) {
    /** The tag used when none is given. */
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern NAME = ReferenceGrammar.NAME_PATTERN;
    private static final Pattern TAG = ReferenceGrammar.TAG_PATTERN;
    private static final int MAX_NAME_LENGTH = 255;

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the name or tag does not follow the reference grammar
     */
    public ImageName {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tag, "tag");
        if (name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid image name \"" + name + "\": use lowercase letters, digits "
                    + "and separators (. _ -) in /-separated components, optionally after a registry host[:port]");
        }
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag \"" + tag + "\": use up to 128 letters, digits, "
                    + "underscores, dots and dashes, not starting with a dot or dash");
        }
    }

    /**
     * Parses {@code name[:tag]}.
     *
     * @throws IllegalArgumentException if the text is not a valid tagged name (the message says what to change)
     */
    public static ImageName parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.contains("@")) {
            throw new IllegalArgumentException("\"" + text + "\" is a digest reference; give a name and tag, "
                    + "e.g. app:1.0");
        }
        int colon = text.lastIndexOf(':');
        // A colon before the last slash belongs to a registry port (localhost:5000/app), not a tag.
        if (colon > text.lastIndexOf('/')) {
            return new ImageName(text.substring(0, colon), text.substring(colon + 1));
        }
        return new ImageName(text, DEFAULT_TAG);
    }

    /** Returns {@code name:tag}, the form stored in {@code org.opencontainers.image.ref.name}. */
    @Override
    public String toString() {
        return name + ":" + tag;
    }
}
