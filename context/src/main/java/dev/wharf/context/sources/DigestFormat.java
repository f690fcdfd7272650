package dev.wharf.context.sources;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks of opencontainers/go-digest's {@code Digest.Validate} (what BuildKit's {@code digest.Parse} runs on a
 * named context's or {@code ADD --checksum}'s digest), with its error texts, so a malformed digest fails with the
 * words BuildKit prints. Stateless and thread-safe.
 */
public final class DigestFormat {
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    private DigestFormat() {
    }

    /** Returns go-digest's error text for {@code digest}, or empty when it is a well-formed digest. */
    public static Optional<String> problem(String digest) {
        int colon = digest.indexOf(':');
        if (colon <= 0 || colon + 1 == digest.length()) {
            return Optional.of("invalid checksum digest format");
        }
        String algorithm = digest.substring(0, colon);
        String hex = digest.substring(colon + 1);
        if (!ALGORITHM.matcher(algorithm).matches()) {
            return Optional.of("invalid checksum digest format");
        }
        if (!algorithm.equals("sha256") && !algorithm.equals("sha384") && !algorithm.equals("sha512")) {
            return Optional.of("unsupported digest algorithm");
        }
        int want = algorithm.equals("sha256") ? 64 : algorithm.equals("sha384") ? 96 : 128;
        if (hex.length() != want) {
            return Optional.of("invalid checksum digest length");
        }
        if (!HEX.matcher(hex).matches()) {
            return Optional.of("invalid checksum digest format");
        }
        return Optional.empty();
    }
}
