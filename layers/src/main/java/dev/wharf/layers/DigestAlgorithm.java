package dev.wharf.layers;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The digest algorithms wharf can verify, with their OCI names (image-spec descriptor.md, "Registered algorithms").
 *
 * <p>Immutable and thread-safe (an enum). Each call to {@link #newMessageDigest()} returns a fresh, unshared hasher.
 */
public enum DigestAlgorithm {
    /** SHA-256, the algorithm every OCI implementation must support; wharf writes only this one. */
    SHA256("sha256", "SHA-256", 64),
    /** SHA-512, which OCI registers as optional; wharf reads and verifies it. */
    SHA512("sha512", "SHA-512", 128);

    private final String ociName;
    private final String javaName;
    private final int hexLength;

    DigestAlgorithm(String ociName, String javaName, int hexLength) {
        this.ociName = ociName;
        this.javaName = javaName;
        this.hexLength = hexLength;
    }

    /** Returns the name used in the wire form, e.g. {@code sha256}. */
    public String ociName() {
        return ociName;
    }

    /** Returns the number of lowercase hex characters of an encoded digest of this algorithm. */
    public int hexLength() {
        return hexLength;
    }

    /** Returns a new hasher for this algorithm. */
    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(javaName);
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE implementation must provide SHA-256 and SHA-512 (MessageDigest's Javadoc).
            throw new IllegalStateException("JDK lacks " + javaName, e);
        }
    }

    /** Finds the algorithm with the given OCI name, if wharf supports it. */
    public static Optional<DigestAlgorithm> byOciName(String name) {
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.ociName.equals(name)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }
}
