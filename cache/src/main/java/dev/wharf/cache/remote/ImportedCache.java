package dev.wharf.cache.remote;

import dev.wharf.cache.CacheRecord;
import java.util.List;
import java.util.Objects;

/**
 * A cache read from a remote source: its records, and where their layer blobs can be fetched from when needed.
 *
 * <p>An immutable record, thread-safe if the blob source is.
 *
 * @param source where the cache was read from, for messages (a registry reference or a directory)
 * @param records the records, sorted by key
 * @param blobs fetches the records' layer blobs
 */
public record ImportedCache(String source, List<CacheRecord> records, BlobSource blobs) {
    /** Validates and copies. */
    public ImportedCache {
        Objects.requireNonNull(source, "source");
        records = List.copyOf(records);
        Objects.requireNonNull(blobs, "blobs");
    }
}
