package dev.wharf.cache;

import java.time.Clock;
import java.util.Objects;

/**
 * Settings of a cache store.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param clock the source of created and last-used times (the only clock the cache reads)
 * @param maxCachedRecords how many records {@link FileCacheStore} keeps parsed in memory (least recently used evicted first)
 * @param warnings where recovered problems, such as a removed corrupt record, are reported
 */
public record CacheStoreOptions(Clock clock, long maxCachedRecords, CacheWarnings warnings) {
    /** The default number of records kept in memory: far more than the steps of a typical build. */
    public static final long DEFAULT_MAX_CACHED_RECORDS = 10_000;

    /** Validates. */
    public CacheStoreOptions {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(warnings, "warnings");
        if (maxCachedRecords < 0) {
            throw new IllegalArgumentException("negative maxCachedRecords " + maxCachedRecords);
        }
    }

    /** The defaults: the system UTC clock, {@link #DEFAULT_MAX_CACHED_RECORDS}, warnings ignored. */
    public static CacheStoreOptions defaults() {
        return new CacheStoreOptions(Clock.systemUTC(), DEFAULT_MAX_CACHED_RECORDS, CacheWarnings.ignore());
    }

    /** Returns a copy with another clock. */
    public CacheStoreOptions withClock(Clock value) {
        return new CacheStoreOptions(value, maxCachedRecords, warnings);
    }

    /** Returns a copy with another in-memory bound. */
    public CacheStoreOptions withMaxCachedRecords(long value) {
        return new CacheStoreOptions(clock, value, warnings);
    }

    /** Returns a copy with another warning receiver. */
    public CacheStoreOptions withWarnings(CacheWarnings value) {
        return new CacheStoreOptions(clock, maxCachedRecords, value);
    }
}
