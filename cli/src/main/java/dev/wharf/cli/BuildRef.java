package dev.wharf.cli;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * The {@code buildx.build.ref} of a build's metadata file: buildx 0.13.1 names each build
 * {@code BUILDER/NODE/ID} (build/build.go, {@code default/default/<id>} with the docker driver), the id being
 * BuildKit's random identifier of 25 lowercase base-36 characters (identity.NewID: 17 random bytes with the high
 * bit set, so the text never needs padding, less its first character). wharf is its own builder with one node:
 * {@code wharf/wharf0/<id>}, as buildx names a created builder's first node. Stateless and thread-safe.
 */
final class BuildRef {
    /** The builder and node part of every ref. */
    static final String PREFIX = "wharf/wharf0/";
    private static final int ID_LENGTH = 25;
    private static final SecureRandom RANDOM = new SecureRandom();

    private BuildRef() {
    }

    /** A fresh ref for one build. */
    static String next() {
        return PREFIX + id(RANDOM);
    }

    /** A random id of 25 base-36 characters drawn from {@code random}. */
    static String id(java.util.Random random) {
        byte[] bytes = new byte[17];
        random.nextBytes(bytes);
        // The set high bit makes the number exactly 27 base-36 digits long (2^135 > 36^26); the first is dropped.
        bytes[0] |= (byte) 0x80;
        return new BigInteger(1, bytes).toString(36).substring(1, ID_LENGTH + 1);
    }
}
