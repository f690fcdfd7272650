package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheKey;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.CacheStore;
import dev.wharf.cache.remote.BlobSource;
import dev.wharf.cache.remote.ImportedCache;
import dev.wharf.cache.remote.RemoteCache;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.layer.LayerBlob;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The step caches one build imported with {@code --cache-from}: their records by key (the first source that has a
 * key wins) and, for each layer they name, where to fetch it. Loading reads every source's manifest and config at
 * build start; a source that cannot be read is a warning, as in BuildKit. Layer blobs are fetched into the local
 * store only when {@link #ensure} is asked for them: when a later step runs on a cached layer, when another stage
 * copies from it, or when the final image is written.
 *
 * <p>Immutable after loading and thread-safe (stages fetch concurrently; the blob store makes concurrent copies of
 * one blob safe).
 */
final class CacheImports {
    private final Map<CacheKey, CacheRecord> records;
    private final Map<Digest, Source> layers;
    private final BlobStore store;
    /** Where a fetched plain-tar layer is marked as distributed so; null when nothing is imported. */
    private final dev.wharf.layers.store.CompressedVariants marks;
    private final Set<CacheRecord> hits = ConcurrentHashMap.newKeySet();

    private record Source(Descriptor descriptor, BlobSource blobs) {
    }

    private CacheImports(Map<CacheKey, CacheRecord> records, Map<Digest, Source> layers, BlobStore store,
                         dev.wharf.layers.store.CompressedVariants marks) {
        this.records = Map.copyOf(records);
        this.layers = Map.copyOf(layers);
        this.store = store;
        this.marks = marks;
    }

    /** No imported cache. */
    static CacheImports none(BlobStore store) {
        return new CacheImports(Map.of(), Map.of(), store, null);
    }

    /**
     * Loads every source's index, each as one progress step numbered by {@code steps} ({@code #N importing cache
     * manifest from ...}, as BuildKit shows it); unreadable ones fail their step, are reported as warnings when
     * their kind makes them ({@link RemoteCache#failureIsWarning}) and skipped.
     */
    static CacheImports load(List<RemoteCache> sources, BlobStore store,
                             dev.wharf.layers.store.CompressedVariants marks, ProgressListener listener,
                             IntSupplier steps) throws InterruptedException {
        Map<CacheKey, CacheRecord> records = new HashMap<>();
        Map<Digest, Source> layers = new HashMap<>();
        for (RemoteCache source : sources) {
            if (Thread.interrupted()) {
                throw new InterruptedException("build cancelled");
            }
            int step = steps.getAsInt();
            listener.onEvent(new BuildEvent.StepStarted(step, "", 0, 0, source.importName()));
            long start = System.nanoTime();
            ImportedCache imported;
            try {
                imported = source.load(store);
            } catch (LayerException | CacheException e) {
                listener.onEvent(new BuildEvent.StepFailed(step, e.getMessage(), ImagePushes.since(start)));
                if (source.failureIsWarning(e)) {
                    listener.onEvent(new BuildEvent.Warning("cannot import the build cache from " + source.describe()
                            + ", building without it: " + e.getMessage()));
                }
                continue;
            }
            listener.onEvent(new BuildEvent.StepDone(step, ImagePushes.since(start)));
            for (CacheRecord record : imported.records()) {
                records.putIfAbsent(record.key(), record);
                for (LayerBlob layer : record.result().layers()) {
                    layers.putIfAbsent(layer.descriptor().digest(), new Source(layer.descriptor(), imported.blobs()));
                }
            }
        }
        return new CacheImports(records, layers, store, marks);
    }

    /** The imported record of {@code key}, if a source has one; remembered for {@link #keep}. */
    Optional<CacheRecord> hit(CacheKey key) {
        Optional<CacheRecord> record = Optional.ofNullable(records.get(key));
        record.ifPresent(hits::add);
        return record;
    }

    /**
     * Saves into {@code cache} the imported records the build hit whose layers were fetched, as BuildKit's combined
     * cache manager saves a loaded remote result into the local cache with its creation time
     * ({@code solver/combinedcache.go}): the next build here hits them without {@code --cache-from}. A record whose
     * layers were never needed stays remote, so the local cache never names blobs the store lacks.
     */
    void keep(CacheStore cache) throws CacheException, LayerException {
        for (CacheRecord record : hits) {
            boolean fetched = true;
            for (LayerBlob layer : record.result().layers()) {
                fetched &= store.exists(layer.descriptor().digest());
            }
            if (fetched) {
                cache.importRecord(record);
            }
        }
    }

    /** Whether every layer is in the local store or can be fetched from a source. */
    boolean available(List<LayerBlob> wanted) throws LayerException {
        for (LayerBlob layer : wanted) {
            Digest digest = layer.descriptor().digest();
            if (!layers.containsKey(digest) && !store.exists(digest)) {
                return false;
            }
        }
        return true;
    }

    /** Fetches the layers the local store lacks from the sources that named them. */
    void ensure(List<LayerBlob> wanted) throws LayerException {
        for (LayerBlob layer : wanted) {
            fetch(layer.descriptor().digest());
        }
    }

    private void fetch(Digest digest) throws LayerException {
        Source source = layers.get(digest);
        if (source != null && !store.exists(digest)) {
            source.blobs().fetch(source.descriptor(), store);
            // A plain-tar layer of the cache stays so when it leaves the store (unless force-compression), as
            // BuildKit keeps the blob a cache hit brings; only layers a build writes are compressed on the way out.
            marks.rememberDistributed(source.descriptor());
        }
    }

    /** The local store, fetching an imported blob the first time it is opened (for exporting the cache). */
    BlobProvider provider() {
        return new BlobProvider() {
            @Override
            public InputStream open(Digest digest) throws LayerException {
                fetch(digest);
                return store.open(digest);
            }

            @Override
            public Optional<BlobInfo> info(Digest digest) throws LayerException {
                fetch(digest);
                return store.info(digest);
            }

            @Override
            public boolean exists(Digest digest) throws LayerException {
                return store.exists(digest) || layers.containsKey(digest);
            }
        };
    }
}
