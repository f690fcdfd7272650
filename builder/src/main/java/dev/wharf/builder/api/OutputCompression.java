package dev.wharf.builder.api;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How the layers of an image are compressed when it leaves the local store: pushed to a registry, exported as an
 * OCI layout or docker tarball, or exported as a remote build cache. The store keeps the layers a build makes
 * uncompressed (as {@code docker build} does); they are compressed lazily, once per algorithm and level, when an
 * output needs them. Layers that are already compressed (a base image's) are kept as they came unless
 * {@code force} says to recompress those compressed otherwise. BuildKit's exporter attributes
 * {@code compression}, {@code compression-level} and {@code force-compression} ({@code util/compression/attrs.go}).
 *
 * <p>An immutable record, thread-safe.
 *
 * @param type  the algorithm
 * @param level {@code compression-level}: gzip 0..9 (default 6), zstd 1..22 (default 3); empty means the default
 * @param force {@code force-compression=true}: also recompress layers compressed with another algorithm
 */
public record OutputCompression(Type type, OptionalInt level, boolean force) {
    /** The attribute names {@link #parse} reads. */
    public static final Set<String> KEYS = Set.of("compression", "compression-level", "force-compression");

    /** A compression algorithm of layer blobs. */
    public enum Type {
        /** gzip, the default (BuildKit's {@code compression.Default}). */
        GZIP,
        /** zstd. */
        ZSTD,
        /** No compression: layers are plain tars. */
        UNCOMPRESSED
    }

    /** Validates the level's range for the algorithm. */
    public OutputCompression {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(level, "level");
        if (level.isPresent()) {
            int l = level.getAsInt();
            switch (type) {
                case GZIP -> {
                    if (l < 0 || l > 9) {
                        throw new IllegalArgumentException("compression-level=" + l + " is out of gzip's range 0..9");
                    }
                }
                case ZSTD -> {
                    if (l < 1 || l > 22) {
                        throw new IllegalArgumentException("compression-level=" + l
                                + " is out of zstd's range 1..22");
                    }
                }
                case UNCOMPRESSED -> level = OptionalInt.empty();
                default -> throw new IllegalArgumentException("unknown compression " + type);
            }
        }
    }

    /** gzip at level 6, layers already compressed kept: what an output without compression attributes gets. */
    public static OutputCompression defaults() {
        return new OutputCompression(Type.GZIP, OptionalInt.empty(), false);
    }

    /** The level to use: the given one, else the algorithm's default (gzip 6, zstd 3, 0 for uncompressed). */
    public int effectiveLevel() {
        return level.orElse(switch (type) {
            case GZIP -> 6;
            case ZSTD -> 3;
            case UNCOMPRESSED -> 0;
        });
    }

    /**
     * Reads {@code compression=gzip|zstd|uncompressed}, {@code compression-level=N} and
     * {@code force-compression[=true|false]} from the attributes of an output or cache destination; absent ones
     * take the defaults.
     *
     * @param flag the option the attributes came from, for messages ({@code --output}, {@code --cache-to})
     * @throws IllegalArgumentException naming the attribute when a value is invalid
     */
    public static OutputCompression parse(Map<String, String> attributes, String flag) {
        Type type = Type.GZIP;
        String name = attributes.get("compression");
        if (name != null) {
            type = switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "gzip" -> Type.GZIP;
                case "zstd" -> Type.ZSTD;
                case "uncompressed" -> Type.UNCOMPRESSED;
                case "estargz", "nydus" -> throw new IllegalArgumentException(flag + " compression=" + name
                        + " is not supported by wharf; use gzip, zstd or uncompressed");
                default -> throw new IllegalArgumentException(flag + " compression=" + name
                        + " is unknown; use gzip, zstd or uncompressed");
            };
        }
        boolean force = false;
        String forceValue = attributes.get("force-compression");
        if (forceValue != null) {
            force = switch (forceValue.trim().toLowerCase(Locale.ROOT)) {
                // BuildKit: a bare force-compression means true.
                case "", "true", "1", "t" -> true;
                case "false", "0", "f" -> false;
                default -> throw new IllegalArgumentException(flag + " force-compression=" + forceValue
                        + " is not true or false");
            };
        }
        OptionalInt level = OptionalInt.empty();
        String levelValue = attributes.get("compression-level");
        if (levelValue != null) {
            try {
                level = OptionalInt.of(Integer.parseInt(levelValue.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " compression-level=" + levelValue + " is not an integer");
            }
        }
        try {
            return new OutputCompression(type, level, force);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + e.getMessage(), e);
        }
    }
}
