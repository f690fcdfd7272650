package dev.wharf.cli;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.store.LayerSizes;
import java.util.List;
import java.util.Objects;

/**
 * An image of the local store found by name or ID: what the name points to, the manifest for this host's platform,
 * its config and every name pointing to the same image.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param id the image ID: the config digest, as Docker's image ID
 * @param target the descriptor the name points to (a manifest, or an index)
 * @param manifest the manifest for this host (the target itself unless it is an index)
 * @param config the parsed image config
 * @param names every {@code name:tag} of the store pointing to this image ID, in store order
 */
record ResolvedImage(Digest id, Descriptor target, ImageManifest manifest, ImageConfiguration config,
        List<String> names) {
    ResolvedImage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(config, "config");
        names = List.copyOf(names);
    }

    /**
     * The sum of the layers' content sizes, as {@code docker images} and {@code docker image inspect} give an
     * image's size (the graph driver's sizes of its unpacked layers), not of their blobs.
     */
    long size(LayerSizes sizes) {
        return manifest.layers().stream().mapToLong(sizes::contentSize).sum();
    }
}
