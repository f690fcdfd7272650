package dev.wharf.cache;

import dev.wharf.layers.Descriptor;
import java.util.List;

/**
 * What {@link CacheStore#prune} did.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param removed the keys of the removed records, sorted
 * @param unreferencedBlobs the layer blobs no remaining record references, sorted by digest: candidates for the
 *     blob store's garbage collection (an image may still reference them; the collector checks)
 * @param freedBytes the sum of the sizes of {@code unreferencedBlobs}
 * @param remainingBytes the sum of the sizes of the distinct blobs the remaining records reference
 */
public record PruneResult(List<CacheKey> removed, List<Descriptor> unreferencedBlobs, long freedBytes,
        long remainingBytes) {
    /** Copies. */
    public PruneResult {
        removed = List.copyOf(removed);
        unreferencedBlobs = List.copyOf(unreferencedBlobs);
    }
}
