package dev.wharf.builder.api;

import dev.wharf.builder.plan.Platform;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoQuote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --annotation [TYPE[[PLATFORM]],...:]KEY=VALUE} of an image output, parsed as buildx does
 * (util/buildflags ParseAnnotations) and typed as BuildKit's exporter reads it (exptypes.ParseAnnotationKey: no
 * type means {@code manifest}). Immutable and thread-safe.
 *
 * @param type     {@code manifest}, {@code manifest-descriptor}, {@code index} or {@code index-descriptor}
 * @param platform the platform the annotation is limited to ({@code os/arch[/variant]}), empty for all
 * @param key      the annotation's key
 * @param value    its value
 */
public record ImageAnnotation(String type, Optional<String> platform, String key, String value) {
    public static final String MANIFEST = "manifest";
    public static final String MANIFEST_DESCRIPTOR = "manifest-descriptor";
    public static final String INDEX = "index";
    public static final String INDEX_DESCRIPTOR = "index-descriptor";

    /** exptypes.keyAnnotationRegexp: an exporter option that is an annotation. */
    private static final Pattern EXPORTER_KEY =
            Pattern.compile("annotation(?:-([a-z-]+))?(?:\\[([A-Za-z0-9_/-]+)\\])?\\.(\\S+)");
    private static final Pattern TYPE_AND_PLATFORM = Pattern.compile("([a-z-]+)(?:\\[([A-Za-z0-9_/-]+)\\])?");

    public ImageAnnotation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (!List.of(MANIFEST, MANIFEST_DESCRIPTOR, INDEX, INDEX_DESCRIPTOR).contains(type)) {
            throw new IllegalArgumentException("unknown annotation type \"" + type + "\"");
        }
    }

    /**
     * Parses {@code --annotation} values; a later one with the same type, platform and key replaces an earlier one
     * (a Go map in buildx). Empty values are skipped.
     *
     * @throws IllegalArgumentException with buildx's wording ({@code invalid annotation "x", expected key=value})
     */
    public static List<ImageAnnotation> parseAll(List<String> values) {
        List<ImageAnnotation> all = new ArrayList<>();
        for (String value : values) {
            all.addAll(parse(value));
        }
        return lastOfEach(all);
    }

    /**
     * {@code all}, a later annotation replacing an earlier one of the same type, platform and key (kept where the
     * first of them was): a Go map of annotations in buildx and in BuildKit's exporter options.
     */
    public static List<ImageAnnotation> lastOfEach(List<ImageAnnotation> all) {
        Map<List<Object>, ImageAnnotation> out = new LinkedHashMap<>();
        for (ImageAnnotation a : all) {
            out.put(List.of(a.type, a.platform, a.key), a);
        }
        return List.copyOf(out.values());
    }

    /** Parses one value, which may name several types ({@code manifest,index:KEY=VALUE}). */
    public static List<ImageAnnotation> parse(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("invalid annotation " + GoQuote.quote(text) + ", expected key=value");
        }
        String k = text.substring(0, eq);
        String v = text.substring(eq + 1);
        int colon = k.indexOf(':');
        String named = k.substring(colon + 1);
        if (named.isEmpty() || named.chars().anyMatch(Character::isWhitespace)) {
            // buildx's annotation pattern wants a key without spaces ("\\S+"): "=x" is no annotation.
            throw new IllegalArgumentException("invalid annotation format, expected <type>:<key>=<value>, got "
                    + GoQuote.quote(text));
        }
        if (colon < 0) {
            return List.of(new ImageAnnotation(MANIFEST, Optional.empty(), k, v));
        }
        String key = k.substring(colon + 1);
        List<ImageAnnotation> out = new ArrayList<>();
        for (String typeAndPlatform : k.substring(0, colon).split(",", -1)) {
            Matcher m = TYPE_AND_PLATFORM.matcher(typeAndPlatform);
            if (!m.matches()) {
                throw new IllegalArgumentException("invalid annotation type " + GoQuote.quote(typeAndPlatform)
                        + ", expected type and optional platform in square brackets");
            }
            String type = m.group(1);
            if (!List.of(MANIFEST, MANIFEST_DESCRIPTOR, INDEX, INDEX_DESCRIPTOR).contains(type)) {
                throw new IllegalArgumentException("unknown annotation type " + GoQuote.quote(type));
            }
            out.add(new ImageAnnotation(type, platform(m.group(2)), key, v));
        }
        return out;
    }

    /** The platform in brackets, normalized, empty when none. */
    private static Optional<String> platform(String written) {
        if (written == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Platform.parse(written, Platform.of("linux", System.getProperty("os.arch"), ""))
                    .format());
        } catch (DockerfileException e) {
            throw new IllegalArgumentException("invalid platform " + GoQuote.quote(written) + ": " + e.reason(), e);
        }
    }

    /**
     * An image exporter's option that is an annotation ({@code annotation[-TYPE][[PLATFORM]].KEY=VALUE}, BuildKit's
     * exptypes.ParseAnnotationKey: no type means {@code manifest}), empty for any other option.
     *
     * @throws IllegalArgumentException in BuildKit's words for an unknown type ({@code unrecognized annotation type
     *                                  x}) or a bad platform
     */
    public static Optional<ImageAnnotation> exporterOption(String option, String value) {
        Matcher m = EXPORTER_KEY.matcher(option);
        if (!m.matches()) {
            return Optional.empty();
        }
        String type = m.group(1) == null ? MANIFEST : m.group(1);
        if (!List.of(MANIFEST, MANIFEST_DESCRIPTOR, INDEX, INDEX_DESCRIPTOR).contains(type)) {
            throw new IllegalArgumentException("unrecognized annotation type " + type);
        }
        return Optional.of(new ImageAnnotation(type, platform(m.group(2)), m.group(3), value));
    }

    /** Whether this goes on an index or its descriptor, which a single-platform image does not have. */
    public boolean onIndex() {
        return type.equals(INDEX) || type.equals(INDEX_DESCRIPTOR);
    }

}
