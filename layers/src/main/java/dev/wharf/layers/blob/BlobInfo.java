package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import java.time.Instant;
import java.util.Objects;

/**
 * What a store knows about one committed blob: its digest, its size and when it was last committed.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param digest the blob's digest
 * @param size the blob's size in bytes
 * @param committedAt when the blob was last committed (re-committing an existing blob refreshes it); garbage
 *     collection keeps blobs younger than its grace period
 */
public record BlobInfo(Digest digest, long size, Instant committedAt) {
    /** Validates. */
    public BlobInfo {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(committedAt, "committedAt");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }
}
