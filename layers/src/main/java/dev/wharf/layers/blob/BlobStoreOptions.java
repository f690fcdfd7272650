package dev.wharf.layers.blob;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link FileBlobStore}: the clock it reads time from and how old an abandoned staged write must be
 * before the startup sweep removes it.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param clock the time source (injected so tests control it; no {@code Instant.now()} in the store)
 * @param staleIngestAge staged files in {@code ingest/} older than this are left over from crashed writers and are
 *     deleted when the store is opened; it must exceed the longest single blob write
 */
public record BlobStoreOptions(Clock clock, Duration staleIngestAge) {
    /** The default age after which staged writes count as abandoned. */
    public static final Duration DEFAULT_STALE_INGEST_AGE = Duration.ofHours(24);

    /** Validates. */
    public BlobStoreOptions {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(staleIngestAge, "staleIngestAge");
        if (staleIngestAge.isNegative()) {
            throw new IllegalArgumentException("staleIngestAge must not be negative: " + staleIngestAge);
        }
    }

    /** The defaults: the system UTC clock and {@link #DEFAULT_STALE_INGEST_AGE}. */
    public static BlobStoreOptions defaults() {
        return new BlobStoreOptions(Clock.systemUTC(), DEFAULT_STALE_INGEST_AGE);
    }

    /** Returns a copy with another clock. */
    public BlobStoreOptions withClock(Clock newClock) {
        return new BlobStoreOptions(newClock, staleIngestAge);
    }
}
