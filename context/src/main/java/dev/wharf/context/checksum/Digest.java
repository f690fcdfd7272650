package dev.wharf.context.checksum;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A SHA-256 content digest in OCI's wire form {@code sha256:<64 hex>}. Immutable.
 *
 * <p>Local to the context module for now: the layers module will own wharf's shared {@code Digest}; this one keeps
 * the same wire form so the two convert through {@link #toString()}.
 */
public final class Digest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] PREFIX = "sha256:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Length of the wire form: {@code sha256:} and 64 hex digits. */
    static final int WIRE_BYTES = 7 + 64;

    private final byte[] hash;
    /** The wire form's bytes, made on first use: a directory hashes each child's, once per checksum call. */
    private volatile byte[] wire;

    private Digest(byte[] hash) {
        this.hash = hash;
    }

    /** The digest of a finished SHA-256 hash value (32 bytes). */
    public static Digest ofHash(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a sha256 hash has 32 bytes, got " + sha256.length);
        }
        return new Digest(sha256.clone());
    }

    /** The digest of a finished SHA-256 hash value that the caller hands over (32 bytes, not modified later). */
    static Digest wrap(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a sha256 hash has 32 bytes, got " + sha256.length);
        }
        return new Digest(sha256);
    }

    /** Parses the wire form {@code sha256:<64 lower-case hex>}. */
    public static Digest parse(String digest) {
        Objects.requireNonNull(digest, "digest");
        if (!digest.startsWith("sha256:") || digest.length() != 7 + 64
                || !digest.substring(7).chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return new Digest(HEX.parseHex(digest.substring(7)));
    }

    /** SHA-256 of {@code bytes}. */
    public static Digest of(byte[] bytes) {
        MessageDigest md = sha256();
        md.update(bytes);
        return new Digest(md.digest());
    }

    /**
     * Never updated, only cloned: a checksum makes a hasher per file and per directory, and getInstance looks the
     * algorithm up among the providers each time (a fresh JVM also compiles that lookup); a clone copies a few arrays.
     */
    private static final MessageDigest PROTOTYPE = newSha256();

    /** A fresh SHA-256 hasher. */
    static MessageDigest sha256() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256(); // a provider whose hasher cannot be cloned
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The raw 32 hash bytes themselves, not to be modified: for writing them out without a copy. */
    byte[] rawHash() {
        return hash;
    }

    /** The raw 32 hash bytes (a copy). */
    public byte[] hash() {
        return hash.clone();
    }

    /** The wire form as bytes, as BuildKit writes digests into parent hashes. */
    byte[] wireBytes() {
        byte[] w = wire;
        if (w == null) {
            w = new byte[WIRE_BYTES];
            writeWire(hash, 0, w);
            wire = w;
        }
        return w;
    }

    /** Writes the wire form of the 32-byte hash at {@code hashes[at]} into {@code out} ({@link #WIRE_BYTES} long). */
    static void writeWire(byte[] hashes, int at, byte[] out) {
        System.arraycopy(PREFIX, 0, out, 0, 7);
        for (int i = 0; i < 32; i++) {
            byte b = hashes[at + i];
            out[7 + 2 * i] = HEX_DIGITS[(b >> 4) & 0xf];
            out[8 + 2 * i] = HEX_DIGITS[b & 0xf];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && MessageDigest.isEqual(hash, d.hash);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "sha256:" + HEX.formatHex(hash);
    }
}
