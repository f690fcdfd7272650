package dev.wharf.layers;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A validated content digest in the OCI wire form {@code <algorithm>:<lowercase hex>}, e.g. {@code sha256:e3b0...}.
 *
 * <p>Immutable and thread-safe. Instances are only made by the factories, which reject anything that is not a
 * well-formed digest of a {@link DigestAlgorithm} wharf can verify; equality and {@link #toString()} use the wire form.
 * Modelled on jib-core's {@code DescriptorDigest} (private constructor, validating factories).
 */
public final class Digest implements Comparable<Digest> {
    private static final HexFormat HEX = HexFormat.of();

    private final DigestAlgorithm algorithm;
    private final String hex;

    private Digest(DigestAlgorithm algorithm, String hex) {
        this.algorithm = algorithm;
        this.hex = hex;
    }

    /**
     * Parses the wire form {@code algorithm:hex}.
     *
     * @throws IllegalArgumentException if the text is not a digest wharf can verify; callers reading untrusted
     *     documents wrap it in a {@link LayerException} naming the document
     */
    @JsonCreator
    public static Digest parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("digest is missing");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(
                    "invalid digest \"" + text + "\": expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>");
        }
        String name = text.substring(0, colon);
        DigestAlgorithm algorithm = DigestAlgorithm.byOciName(name).orElseThrow(() -> new IllegalArgumentException(
                "unsupported digest algorithm \"" + name + "\" in \"" + text + "\": wharf verifies sha256 and sha512"));
        return of(algorithm, text.substring(colon + 1));
    }

    /**
     * Makes a digest from an algorithm and its encoded hash.
     *
     * @throws IllegalArgumentException if {@code hex} is not exactly {@link DigestAlgorithm#hexLength()} lowercase
     *     hex digits (OCI forbids uppercase for the registered algorithms)
     */
    public static Digest of(DigestAlgorithm algorithm, String hex) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != algorithm.hexLength() || !isLowerHex(hex)) {
            throw new IllegalArgumentException("invalid " + algorithm.ociName() + " digest \"" + algorithm.ociName()
                    + ":" + hex + "\": expected " + algorithm.hexLength() + " lowercase hex digits");
        }
        return new Digest(algorithm, hex);
    }

    /** Makes a sha256 digest from its 64 lowercase hex digits. */
    public static Digest sha256(String hex) {
        return of(DigestAlgorithm.SHA256, hex);
    }

    /** Makes a digest from the finished output of a hasher of the given algorithm. */
    public static Digest fromHash(DigestAlgorithm algorithm, byte[] hash) {
        return of(algorithm, HEX.formatHex(hash));
    }

    /** Computes the sha256 digest of the given bytes. */
    public static Digest sha256Of(byte[] content) {
        MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
        return fromHash(DigestAlgorithm.SHA256, md.digest(content));
    }

    /** Returns the algorithm. */
    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /** Returns the encoded hash: lowercase hex, without the algorithm prefix. */
    public String hex() {
        return hex;
    }

    /** Returns the wire form {@code algorithm:hex}. */
    @JsonValue
    @Override
    public String toString() {
        return algorithm.ociName() + ":" + hex;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Digest d && d.algorithm == algorithm && d.hex.equals(hex);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + hex.hashCode();
    }

    /** Orders by wire form, so sorted collections of digests are deterministic. */
    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
