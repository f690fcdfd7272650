package dev.wharf.layers;

import java.util.Map;
import java.util.Optional;

/**
 * The media types of OCI image-spec v1 and Docker image manifest v2 schema 2, with the mapping between them.
 *
 * <p>A constants holder: immutable and thread-safe. Names follow image-spec {@code specs-go/v1/mediatype.go} and
 * the Docker distribution {@code manifest/schema2} and {@code manifest/manifestlist} packages.
 */
public final class MediaTypes {
    /** OCI image manifest. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** OCI image index (multi-platform). */
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** OCI image configuration. */
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** OCI uncompressed layer tar. */
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    /** OCI gzip-compressed layer tar. */
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** OCI zstd-compressed layer tar. */
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    /** OCI non-distributable (foreign) uncompressed layer; deprecated by the spec but still read. */
    public static final String OCI_FOREIGN_LAYER_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    /** OCI non-distributable (foreign) gzip layer; deprecated by the spec but still read. */
    public static final String OCI_FOREIGN_LAYER_GZIP =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    /** OCI non-distributable (foreign) zstd layer; deprecated by the spec but still read. */
    public static final String OCI_FOREIGN_LAYER_ZSTD =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    /** The OCI empty JSON descriptor type ({@code {}}), used by artifacts. */
    public static final String OCI_EMPTY_JSON = "application/vnd.oci.empty.v1+json";

    /** Docker image manifest v2 schema 2. */
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** Docker manifest list (multi-platform), the Docker counterpart of the OCI index. */
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** Docker image configuration. */
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** Docker uncompressed layer tar (used by {@code docker save} archives and containerd). */
    public static final String DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
    /** Docker gzip-compressed layer tar, the usual Docker layer type. */
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /** Docker zstd-compressed layer tar, which BuildKit writes for zstd layers without OCI media types. */
    public static final String DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
    /** Docker foreign (non-distributable) uncompressed layer. */
    public static final String DOCKER_FOREIGN_LAYER_TAR = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    /** Docker foreign (non-distributable) gzip layer, e.g. Windows base layers. */
    public static final String DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    // The pairs of containerd's core/images/mediatypes.go; OCI foreign zstd has no Docker counterpart.
    private static final Map<String, String> DOCKER_TO_OCI = Map.of(
            DOCKER_MANIFEST, OCI_MANIFEST,
            DOCKER_MANIFEST_LIST, OCI_INDEX,
            DOCKER_CONFIG, OCI_CONFIG,
            DOCKER_LAYER_TAR, OCI_LAYER_TAR,
            DOCKER_LAYER_GZIP, OCI_LAYER_GZIP,
            DOCKER_LAYER_ZSTD, OCI_LAYER_ZSTD,
            DOCKER_FOREIGN_LAYER_TAR, OCI_FOREIGN_LAYER_TAR,
            DOCKER_FOREIGN_LAYER_GZIP, OCI_FOREIGN_LAYER_GZIP);
    private static final Map<String, String> OCI_TO_DOCKER = invert(DOCKER_TO_OCI);

    private MediaTypes() {
    }

    /** Tells whether the type is a single-platform image manifest (OCI or Docker). */
    public static boolean isManifest(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }

    /** Tells whether the type is a multi-platform index (OCI index or Docker manifest list). */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    /** Tells whether the type is an image configuration (OCI or Docker). */
    public static boolean isConfig(String mediaType) {
        return OCI_CONFIG.equals(mediaType) || DOCKER_CONFIG.equals(mediaType);
    }

    /** Tells whether the type is a layer, distributable or foreign, in any compression wharf knows. */
    public static boolean isLayer(String mediaType) {
        return layerCompression(mediaType).isPresent();
    }

    /** Tells whether the type is a foreign (non-distributable) layer, whose content is fetched from its URLs. */
    public static boolean isForeignLayer(String mediaType) {
        return OCI_FOREIGN_LAYER_TAR.equals(mediaType) || OCI_FOREIGN_LAYER_GZIP.equals(mediaType)
                || OCI_FOREIGN_LAYER_ZSTD.equals(mediaType) || DOCKER_FOREIGN_LAYER_TAR.equals(mediaType)
                || DOCKER_FOREIGN_LAYER_GZIP.equals(mediaType);
    }

    /** Returns the compression of a layer type, or empty when the type is not a layer type. */
    public static Optional<Compression> layerCompression(String mediaType) {
        if (mediaType == null) {
            return Optional.empty();
        }
        return switch (mediaType) {
            case OCI_LAYER_TAR, OCI_FOREIGN_LAYER_TAR, DOCKER_LAYER_TAR, DOCKER_FOREIGN_LAYER_TAR ->
                    Optional.of(Compression.NONE);
            case OCI_LAYER_GZIP, OCI_FOREIGN_LAYER_GZIP, DOCKER_LAYER_GZIP, DOCKER_FOREIGN_LAYER_GZIP ->
                    Optional.of(Compression.GZIP);
            case OCI_LAYER_ZSTD, OCI_FOREIGN_LAYER_ZSTD, DOCKER_LAYER_ZSTD -> Optional.of(Compression.ZSTD);
            default -> Optional.empty();
        };
    }

    /**
     * Returns the distributable counterpart of a foreign (non-distributable) layer type, keeping its family and
     * compression; any other type is returned unchanged.
     */
    public static String toDistributable(String mediaType) {
        return switch (mediaType) {
            case OCI_FOREIGN_LAYER_TAR -> OCI_LAYER_TAR;
            case OCI_FOREIGN_LAYER_GZIP -> OCI_LAYER_GZIP;
            case OCI_FOREIGN_LAYER_ZSTD -> OCI_LAYER_ZSTD;
            case DOCKER_FOREIGN_LAYER_TAR -> DOCKER_LAYER_TAR;
            case DOCKER_FOREIGN_LAYER_GZIP -> DOCKER_LAYER_GZIP;
            default -> mediaType;
        };
    }

    /** Returns the OCI type for a Docker schema 2 type; any other type is returned unchanged. */
    public static String toOci(String mediaType) {
        return DOCKER_TO_OCI.getOrDefault(mediaType, mediaType);
    }

    /**
     * Returns the Docker schema 2 type for an OCI type, or empty if Docker has none (e.g. OCI foreign zstd layers,
     * artifact types). Docker types are returned unchanged.
     */
    public static Optional<String> toDocker(String mediaType) {
        if (DOCKER_TO_OCI.containsKey(mediaType)) {
            return Optional.of(mediaType);
        }
        return Optional.ofNullable(OCI_TO_DOCKER.get(mediaType));
    }

    private static Map<String, String> invert(Map<String, String> map) {
        Map<String, String> inverted = new java.util.HashMap<>();
        map.forEach((k, v) -> inverted.put(v, k));
        return Map.copyOf(inverted);
    }

    /** The compression of a layer blob. Immutable and thread-safe (an enum). */
    public enum Compression {
        /** A plain tar. */
        NONE,
        /** gzip (RFC 1952). */
        GZIP,
        /** zstd (RFC 8878). */
        ZSTD
    }
}
