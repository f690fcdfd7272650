package dev.wharf.cache;

import static dev.wharf.cache.TestSteps.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobStoreOptions;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.store.GcOptions;
import dev.wharf.layers.store.GcReport;
import dev.wharf.layers.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's records keep their layers alive in the real blob store's garbage collection, and only those. */
class CacheGcRootsTest {
    @TempDir
    Path storeRoot;

    @TempDir
    Path cacheRoot;

    @Test
    void blobsOfPrunedRecordsAreCollectedAndBlobsOfLiveRecordsAreKept() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-01T00:00:00Z");
        LocalStore store = LocalStore.open(storeRoot, BlobStoreOptions.defaults().withClock(clock));
        CacheStore cache = FileCacheStore.open(cacheRoot, CacheStoreOptions.defaults().withClock(clock));
        LayerBlob oldLayer = put(store, "old layer");
        LayerBlob liveLayer = put(store, "live layer");
        CacheKeyInputs oldStep = run(0, "old").build();
        CacheKeyInputs liveStep = run(1, "live").build();
        cache.save(oldStep, StepResult.of(List.of(oldLayer), "{}"));
        clock.advance(Duration.ofDays(10));
        cache.save(liveStep, StepResult.of(List.of(liveLayer), "{}"));

        PruneResult pruned = cache.prune(PruneOptions.olderThan(Duration.ofDays(7)));
        assertEquals(List.of(oldLayer.descriptor()), pruned.unreferencedBlobs());

        clock.advance(GcOptions.DEFAULT_GRACE_PERIOD.plusMinutes(1));
        GcReport report = store.garbageCollector().collect(GcOptions.defaults().withExtraRoots(cache.gcRoots()));
        assertEquals(List.of(oldLayer.descriptor().digest()), report.removed());
        assertFalse(store.blobs().exists(oldLayer.descriptor().digest()));
        assertTrue(store.blobs().exists(liveLayer.descriptor().digest()));
        assertEquals(List.of(), report.missing());
    }

    private static LayerBlob put(LocalStore store, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        BlobInfo info = store.blobs().put(bytes);
        // An uncompressed layer: its diff ID is its own digest.
        return new LayerBlob(Descriptor.of(MediaTypes.OCI_LAYER_TAR, info.digest(), info.size()), info.digest(),
                info.size());
    }
}
