package dev.wharf.cache;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.layer.LayerBlob;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link CacheStore} in memory, for tests and for builds that must leave nothing behind (BuildKit's
 * {@code solver/memorycachestorage.go}).
 *
 * <p>Thread-safe: lookups are lock-free; saves and prunes serialize on this instance so a prune sees a consistent
 * set of records. Nothing survives the instance.
 */
public final class InMemoryCacheStore implements CacheStore {
    private final ConcurrentHashMap<CacheKey, CacheRecord> records = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Object writeLock = new Object();

    /** Makes an empty store that reads time from {@code clock}. */
    public InMemoryCacheStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<CacheRecord> lookup(CacheKey key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(records.computeIfPresent(key, (k, r) -> r.withLastUsed(clock.instant())));
    }

    @Override
    public CacheRecord save(CacheKeyInputs inputs, StepResult result) {
        CacheRecord record = CacheRecord.create(inputs, result, clock.instant());
        synchronized (writeLock) {
            records.put(record.key(), record);
        }
        return record;
    }

    @Override
    public CacheRecord importRecord(CacheRecord record) {
        CacheRecord used = record.withLastUsed(clock.instant());
        synchronized (writeLock) {
            records.put(used.key(), used);
        }
        return used;
    }

    @Override
    public MissExplanation explainMiss(CacheKeyInputs inputs) {
        List<CacheRecord> sameIdentity = records.values().stream()
                .filter(r -> r.inputs().identity().equals(inputs.identity())).toList();
        return MissExplainer.explain(inputs, Optional.ofNullable(records.get(inputs.key())), sameIdentity);
    }

    @Override
    public PruneResult prune(PruneOptions options) {
        Objects.requireNonNull(options, "options");
        synchronized (writeLock) {
            PruneResult result = PrunePlanner.plan(List.copyOf(records.values()), options, clock.instant());
            result.removed().forEach(records::remove);
            return result;
        }
    }

    @Override
    public Set<Descriptor> referencedBlobs() {
        Set<Descriptor> blobs = new TreeSet<>(Comparator.comparing(Descriptor::digest));
        for (CacheRecord record : records.values()) {
            for (LayerBlob layer : record.result().layers()) {
                blobs.add(layer.descriptor());
            }
        }
        return Set.copyOf(blobs);
    }
}
