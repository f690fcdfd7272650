package dev.wharf.cache;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import java.util.Objects;

/**
 * The key of a build step in the cache: the sha256 digest of the canonical serialization of its
 * {@link CacheKeyInputs}, in the wire form {@code sha256:<64 lowercase hex digits>}.
 *
 * <p>Immutable and thread-safe. Equality and {@link #toString()} use the wire form. Made by
 * {@link CacheKeyInputs#key()} or parsed from a stored wire form with {@link #parse(String)}.
 */
public final class CacheKey implements Comparable<CacheKey> {
    private final Digest digest;

    private CacheKey(Digest digest) {
        this.digest = digest;
    }

    /**
     * Wraps a sha256 digest.
     *
     * @throws IllegalArgumentException if the digest is not sha256 (keys are always sha256, so one key never has
     *     two spellings)
     */
    public static CacheKey of(Digest digest) {
        Objects.requireNonNull(digest, "digest");
        if (digest.algorithm() != DigestAlgorithm.SHA256) {
            throw new IllegalArgumentException("a cache key is a sha256 digest, not " + digest);
        }
        return new CacheKey(digest);
    }

    /**
     * Parses the wire form {@code sha256:<hex>}.
     *
     * @throws IllegalArgumentException if the text is not a sha256 digest
     */
    public static CacheKey parse(String text) {
        return of(Digest.parse(text));
    }

    /** Returns the digest. */
    public Digest digest() {
        return digest;
    }

    /** Returns the 64 lowercase hex digits, without the {@code sha256:} prefix (used as a file name). */
    public String hex() {
        return digest.hex();
    }

    /** Returns the wire form {@code sha256:<hex>}. */
    @Override
    public String toString() {
        return digest.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CacheKey k && k.digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    /** Orders by wire form, so sorted collections of keys are deterministic. */
    @Override
    public int compareTo(CacheKey other) {
        return digest.compareTo(other.digest);
    }
}
