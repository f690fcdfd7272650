package dev.wharf.builder.exec;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.store.LocalStore;

/**
 * An image as an output hands it out with Docker's media types ({@code oci-mediatypes=false}, the default of
 * BuildKit's image exporter and of its docker exporter): the store keeps every image's manifest with OCI types (so
 * its digests, the step cache and stored images never depend on an output's option), and the Docker form is written
 * next to it, as another manifest over the same blobs, when an image leaves the store. Stateless.
 */
final class DockerTypes {
    private DockerTypes() {
    }

    /**
     * Returns {@code image} with Docker's media types ({@link ImageManifest#withDockerTypes()}), its manifest written
     * into {@code store}; the descriptor keeps {@code image}'s descriptor annotations. An index, an artifact or a
     * manifest with a subject is returned as it is.
     *
     * @throws LayerException if the manifest cannot be read or written
     */
    static LayerCompressor.Compressed of(LocalStore store, LayerCompressor.Compressed image) throws LayerException {
        if (!MediaTypes.isManifest(image.manifest().mediaType())) {
            return image;
        }
        ImageManifest stored = store.reader().readManifest(image.manifest());
        if (!stored.hasDockerForm()) {
            return image;
        }
        ImageManifest docker = stored.withDockerTypes();
        if (docker.equals(stored)) {
            // Docker's already (a pulled schema 2 image): its own bytes and digest, not written again.
            return new LayerCompressor.Compressed(image.manifest(), stored.layers());
        }
        Descriptor written = store.writer().writeManifest(docker);
        return new LayerCompressor.Compressed(written.withAnnotations(image.manifest().annotations()),
                docker.layers());
    }
}
