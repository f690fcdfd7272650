package dev.wharf.cache;

import dev.wharf.layers.Digest;
import java.util.Objects;

/**
 * What a step builds on: nothing ({@code FROM scratch}), a base image (a digest of its content: the chain ID of
 * its layers), or the previous step (its cache key).
 *
 * <p>An immutable record, thread-safe. A base image is keyed by content, not by name, so a re-pushed tag with other
 * layers invalidates the cache, and a re-tagged identical image, or the same image stored with other compression,
 * does not.
 *
 * @param kind what the parent is
 * @param digest the base image's content digest ({@link Kind#IMAGE}) or the parent key's digest ({@link Kind#STEP}); null for
 *     {@link Kind#SCRATCH}
 */
public record StepParent(Kind kind, Digest digest) {
    /** The kinds of parent. The names in lower case are part of the key's serialization: never rename them. */
    public enum Kind {
        /** The empty filesystem, {@code FROM scratch}. */
        SCRATCH,
        /** A base image, by a digest of its content. */
        IMAGE,
        /** The previous step, by cache key. */
        STEP;

        /** Returns the name used in the key's serialization and in record files. */
        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates: a digest exactly when the kind needs one. */
    public StepParent {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.SCRATCH) != (digest == null)) {
            throw new IllegalArgumentException(kind == Kind.SCRATCH ? "scratch parent has a digest " + digest
                    : kind + " parent has no digest");
        }
    }

    /** Returns the empty parent of {@code FROM scratch}. */
    public static StepParent scratch() {
        return new StepParent(Kind.SCRATCH, null);
    }

    /**
     * Returns a base image parent, by a digest of its content: the chain ID of its layers, as BuildKit keys an image
     * source (so one image stored compressed or uncompressed is one parent), or a manifest digest.
     */
    public static StepParent image(Digest manifestDigest) {
        return new StepParent(Kind.IMAGE, Objects.requireNonNull(manifestDigest, "manifestDigest"));
    }

    /** Returns the previous step as parent, by its cache key. */
    public static StepParent step(CacheKey parentKey) {
        return new StepParent(Kind.STEP, Objects.requireNonNull(parentKey, "parentKey").digest());
    }

    /** Returns a short human-readable form, e.g. {@code image sha256:...}, {@code step sha256:...}, {@code scratch}. */
    @Override
    public String toString() {
        return kind == Kind.SCRATCH ? "scratch" : kind.wireName() + " " + digest;
    }
}
