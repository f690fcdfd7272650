package dev.wharf.layers.compress;

import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.MediaTypes.Compression;
import java.util.Objects;

/**
 * How a layer blob is compressed: the algorithm, its level and how many threads may compress at once.
 *
 * <p>An immutable record, thread-safe. The output for given input depends only on the algorithm and the level, never
 * on {@code threads}: parallel gzip splits the input at fixed block boundaries, whatever the thread count, and zstd
 * always runs in its multi-threaded mode (at least one worker), whose output does not depend on the worker count.
 *
 * @param type gzip, zstd or none
 * @param level gzip 0..9 (6 is BuildKit's default, Go's {@code gzip.DefaultCompression}); zstd 1..22 (3 is the
 *     default); ignored for none
 * @param threads how many blocks may be compressed at once (gzip), or how many zstd workers compress; at least 1
 */
public record LayerCompression(Compression type, int level, int threads) {
    /** gzip's default level, as BuildKit uses it. */
    public static final int DEFAULT_GZIP_LEVEL = 6;
    /** zstd's default level. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;

    /** Validates the level range of the algorithm. */
    public LayerCompression {
        Objects.requireNonNull(type, "type");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        switch (type) {
            case GZIP -> {
                if (level < 0 || level > 9) {
                    throw new IllegalArgumentException("gzip level must be 0..9: " + level);
                }
            }
            case ZSTD -> {
                if (level < 1 || level > 22) {
                    throw new IllegalArgumentException("zstd level must be 1..22: " + level);
                }
            }
            case NONE -> level = 0;
            default -> throw new IllegalArgumentException("unknown compression " + type);
        }
    }

    /** gzip at the given level and thread count. */
    public static LayerCompression gzip(int level, int threads) {
        return new LayerCompression(Compression.GZIP, level, threads);
    }

    /** zstd at the given level with one worker thread (besides the writing thread). */
    public static LayerCompression zstd(int level) {
        return zstd(level, 1);
    }

    /** zstd at the given level with {@code threads} worker threads; the output is the same for any count. */
    public static LayerCompression zstd(int level, int threads) {
        return new LayerCompression(Compression.ZSTD, level, threads);
    }

    /** No compression: the blob is the tar itself. */
    public static LayerCompression none() {
        return new LayerCompression(Compression.NONE, 0, 1);
    }

    /** Returns the OCI media type of a layer compressed this way. */
    public String mediaType() {
        return switch (type) {
            case GZIP -> MediaTypes.OCI_LAYER_GZIP;
            case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
            case NONE -> MediaTypes.OCI_LAYER_TAR;
        };
    }
}
