package dev.wharf.builder.exec;

import dev.wharf.builder.api.EngineException;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The image index BuildKit exports for a multi-platform result even when it holds one platform: asked for with the
 * build arg {@code BUILDKIT_MULTI_PLATFORM=1} (frontend/dockerui/config.go), the frontend returns its result per
 * platform and the image writer (exporter/containerimage/writer.go) wraps each platform's manifest in an OCI index,
 * the manifest's descriptor carrying the platform. A push and the oci exporter then hand out the index, and the
 * docker exporter refuses it ("docker exporter does not currently support exporting manifest lists",
 * exporter/oci/export.go); the docker image store of the peer (dockerd's classic store) keeps the plain image, as
 * wharf's store does.
 *
 * <p>Immutable; one per build.
 */
final class PlatformIndex {
    private static final String ARG = "BUILDKIT_MULTI_PLATFORM";

    private final ImageWriter writer;
    private final Platform platform;

    private PlatformIndex(ImageWriter writer, Platform platform) {
        this.writer = writer;
        this.platform = platform;
    }

    /**
     * The index maker when the build arg asks for one, else empty. The value is a Go boolean, as the frontend
     * parses it; an empty value is no value.
     *
     * @param platform the build's target platform, as the frontend normalizes it ({@code linux/amd64})
     * @throws EngineException with BuildKit's words when the value is no boolean
     */
    static Optional<PlatformIndex> of(Map<String, String> buildArgs, dev.wharf.builder.plan.Platform platform,
                                      ImageWriter writer) throws EngineException {
        String value = buildArgs.getOrDefault(ARG, "");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Optional<Boolean> parsed = dev.wharf.grammar.go.GoNumbers.parseBool(value);
        if (parsed.isEmpty()) {
            // The frontend's error, a failure of the solve with no Dockerfile location ("ERROR: failed to
            // solve: invalid boolean value for multi-platform: maybe" from buildx).
            throw new dev.wharf.builder.api.BuildFailedException("[internal] frontend options", "", 0, null,
                    "invalid boolean value for multi-platform: " + value, null, false);
        }
        boolean wanted = parsed.get();
        if (!wanted) {
            return Optional.empty();
        }
        return Optional.of(new PlatformIndex(writer, RegistryImages.layersPlatform(platform)));
    }

    /** The platform the index names. */
    Platform platform() {
        return platform;
    }

    /**
     * Writes the index over {@code manifest} into the store and returns its descriptor.
     *
     * @param manifestAnnotations {@code manifest-descriptor} annotations: on the manifest's entry in the index
     * @param indexAnnotations    {@code index} annotations: in the index document
     * @param oci                 an OCI index; else a Docker manifest list, as BuildKit's writer types the index
     *                            without {@code oci-mediatypes}
     */
    Descriptor wrap(Descriptor manifest, Map<String, String> manifestAnnotations,
                    Map<String, String> indexAnnotations, boolean oci) throws LayerException {
        Map<String, String> own = new TreeMap<>(manifest.annotations());
        own.putAll(manifestAnnotations);
        Descriptor entry = Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size())
                .withAnnotations(own).withPlatform(platform);
        return writer.writeIndex(new ImageIndex(2, oci ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_MANIFEST_LIST, null,
                List.of(entry), null,
                new TreeMap<>(indexAnnotations), null));
    }
}
