package dev.wharf.layers.archive;

/**
 * The image archive formats wharf reads and writes. Immutable and thread-safe (an enum).
 */
public enum ArchiveFormat {
    /**
     * A {@code docker save} tarball: {@code manifest.json} lists each image's config, layers and
     * {@code RepoTags}. Read in both the layout of Docker before 25 ({@code <id>/layer.tar}, {@code <id>.json},
     * {@code repositories}) and that of Docker 25+ (blobs under {@code blobs/sha256/}, with an OCI
     * {@code index.json} beside {@code manifest.json}).
     */
    DOCKER_ARCHIVE,
    /** A tar of an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/}). */
    OCI_ARCHIVE,
    /** An OCI image layout directory. */
    OCI_LAYOUT
}
