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
        MessageDigest prototype = this == SHA256 ? Prototypes.SHA256 : Prototypes.SHA512;
        if (prototype != null) {
            try {
                return (MessageDigest) prototype.clone();
            } catch (CloneNotSupportedException e) {
                // Cloned once when made; a new instance then.
            }
        }
        return getInstance(javaName);
    }

    /**
     * Hashers that are never updated, only cloned, made when first needed (class initialization, so nothing is
     * looked up before a hash is): {@code MessageDigest.getInstance} looks the algorithm up among the security
     * providers and constructs it reflectively on every call, which a build does hundreds of times (cache keys,
     * layers, configs, records), interpreted in a fresh JVM; a clone copies a few arrays. Null when the provider's
     * hasher cannot be cloned. Never mutated, so shared by all threads.
     */
    private static final class Prototypes {
        static final MessageDigest SHA256 = cloneable(DigestAlgorithm.SHA256.javaName);
        static final MessageDigest SHA512 = cloneable(DigestAlgorithm.SHA512.javaName);

        private Prototypes() {
        }

        private static MessageDigest cloneable(String javaName) {
            MessageDigest made = getInstance(javaName);
            try {
                made.clone();
                return made;
            } catch (CloneNotSupportedException e) {
                return null;
            }
        }
    }

    private static MessageDigest getInstance(String javaName) {
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
