package dev.wharf.cache.remote;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobStore;

/**
 * Where the layer blobs of an imported cache come from: copies one into a local store on demand.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface BlobSource {
    /**
     * Copies the blob into {@code store}, verified against the descriptor's size and digest; nothing is copied if
     * the store has it.
     *
     * @throws LayerException if the blob cannot be fetched or does not verify (nothing is stored)
     */
    void fetch(Descriptor blob, BlobStore store) throws LayerException;
}
