package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import java.util.List;

/**
 * What one garbage collection did.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param kept number of blobs kept (referenced or within the grace period)
 * @param removed digests of the blobs deleted, in digest order
 * @param bytesFreed total size of the deleted blobs
 * @param missing referenced blobs that were already absent (the images using them are broken and should be pulled or
 *     built again)
 */
public record GcReport(int kept, List<Digest> removed, long bytesFreed, List<Descriptor> missing) {
    /** Copies. */
    public GcReport {
        removed = List.copyOf(removed);
        missing = List.copyOf(missing);
    }
}
