package dev.wharf.layers.archive;

/**
 * How {@link ArchiveExporter} writes layers into a docker-archive. Immutable and thread-safe (an enum).
 */
public enum DockerLayerFormat {
    /**
     * Every layer as an uncompressed tar named by its diff ID, as {@code docker save} writes them: accepted by every
     * {@code docker load} and by skopeo. The default.
     */
    TAR,
    /**
     * gzip layers copied as stored (a smaller archive; {@code docker load} since 1.x and skopeo decompress them);
     * uncompressed layers as they are, zstd layers decompressed (older {@code docker load} cannot read zstd).
     */
    STORED_GZIP
}
