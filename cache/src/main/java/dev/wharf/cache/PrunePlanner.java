package dev.wharf.cache;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layer.LayerBlob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides which records a prune removes and which blobs that leaves unreferenced: the logic of
 * {@link CacheStore#prune}, shared by every store. Pure: it only computes.
 *
 * <p>Stateless and thread-safe.
 */
final class PrunePlanner {
    /** Least recently used first; ties broken by creation time, then key, so the order is deterministic. */
    private static final Comparator<CacheRecord> LRU = Comparator.comparing(CacheRecord::lastUsed)
            .thenComparing(CacheRecord::created).thenComparing(CacheRecord::key);

    private PrunePlanner() {
    }

    /**
     * Plans a prune.
     *
     * @param records every record of the store
     * @param options what to remove
     * @param now the current time, for {@link PruneOptions#olderThan()}
     * @return the records to remove and the resulting unreferenced blobs and sizes
     */
    static PruneResult plan(Collection<CacheRecord> records, PruneOptions options, Instant now) {
        Map<Digest, Integer> references = new HashMap<>();
        Map<Digest, Descriptor> descriptors = new HashMap<>();
        for (CacheRecord record : records) {
            for (Descriptor blob : distinctBlobs(record)) {
                references.merge(blob.digest(), 1, Integer::sum);
                descriptors.putIfAbsent(blob.digest(), blob);
            }
        }
        long[] total = {descriptors.values().stream().mapToLong(Descriptor::size).sum()};
        List<CacheRecord> candidates = options.candidates(records, CacheRecord::lastUsed, LRU, now);
        List<CacheKey> removed = new ArrayList<>();
        TreeMap<Digest, Descriptor> unreferenced = new TreeMap<>();
        for (CacheRecord record : candidates) {
            if (!options.all() && options.keepStorage().isPresent()
                    && total[0] <= options.keepStorage().getAsLong()) {
                break;
            }
            removed.add(record.key());
            for (Descriptor blob : distinctBlobs(record)) {
                if (references.merge(blob.digest(), -1, Integer::sum) == 0) {
                    unreferenced.put(blob.digest(), blob);
                    total[0] -= blob.size();
                }
            }
        }
        removed.sort(null);
        long freed = unreferenced.values().stream().mapToLong(Descriptor::size).sum();
        return new PruneResult(removed, List.copyOf(unreferenced.values()), freed, total[0]);
    }

    /** A record's layer blobs, each digest once (a step may add the same empty layer twice). */
    private static Collection<Descriptor> distinctBlobs(CacheRecord record) {
        Map<Digest, Descriptor> blobs = new TreeMap<>();
        for (LayerBlob layer : record.result().layers()) {
            blobs.putIfAbsent(layer.descriptor().digest(), layer.descriptor());
        }
        return blobs.values();
    }
}
