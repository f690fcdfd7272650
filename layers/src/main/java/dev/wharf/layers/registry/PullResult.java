package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ImagePuller#pull} stored: the tagged target (the index when the reference named one, else the
 * manifest), the platform manifest and its config, and how many blobs were actually downloaded.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param target the descriptor the local name now points to
 * @param index the index the reference named, if it named one
 * @param manifest the selected platform's manifest
 * @param config the manifest's config
 * @param blobsDownloaded config and layer blobs fetched (blobs already in the store are not)
 */
public record PullResult(Descriptor target, Optional<Descriptor> index, Descriptor manifest, Descriptor config,
        int blobsDownloaded) {
    /** Validates. */
    public PullResult {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(config, "config");
    }
}
