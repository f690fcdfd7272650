package dev.wharf.cache;

import java.time.Instant;
import java.util.Objects;

/**
 * One cache entry: a step's inputs and what it produced, with when it was saved and last used.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param key the key of {@code inputs} when the record was saved (with the key format of that time: see
 *     {@link #keyVersion})
 * @param keyVersion the {@link KeyFormat} version the key was computed with
 * @param inputs the inputs the key was computed from, kept to explain later misses
 * @param result the layers and config the step produced
 * @param created when the record was saved
 * @param lastUsed when the record was last saved or looked up; never before {@code created}
 */
public record CacheRecord(CacheKey key, int keyVersion, CacheKeyInputs inputs, StepResult result, Instant created,
        Instant lastUsed) {
    /** Validates. */
    public CacheRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(lastUsed, "lastUsed");
        if (keyVersion < 1) {
            throw new IllegalArgumentException("key version " + keyVersion + " < 1");
        }
        if (lastUsed.isBefore(created)) {
            lastUsed = created;
        }
    }

    /** Makes a new record of the current key format, created and last used at {@code now}. */
    public static CacheRecord create(CacheKeyInputs inputs, StepResult result, Instant now) {
        return new CacheRecord(inputs.key(), KeyFormat.VERSION, inputs, result, now, now);
    }

    /** Returns a copy last used at the given time. */
    public CacheRecord withLastUsed(Instant time) {
        return new CacheRecord(key, keyVersion, inputs, result, created, time);
    }

    /** Returns the sum of the sizes of the layer blobs. */
    public long layerBytes() {
        return result.layers().stream().mapToLong(l -> l.descriptor().size()).sum();
    }
}
