package dev.wharf.cache;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.StoreLock;
import java.nio.file.Path;

/**
 * The lock of a {@link FileCacheStore} directory, held by saves, prunes and the removal of corrupt records: a
 * {@link StoreLock} (JVM-local lock plus OS file lock, so it holds across processes) that reports failure as a
 * {@link CacheException}.
 *
 * <p>Thread-safe. Not reentrant.
 */
final class CacheLock {
    private final StoreLock lock;

    CacheLock(Path lockFile) {
        this.lock = new StoreLock(lockFile);
    }

    /** Blocks until held; close the result (try-with-resources) to release. */
    StoreLock.Held acquire() throws CacheException {
        try {
            return lock.acquire();
        } catch (LayerException e) {
            throw new CacheException(e.getMessage(), e);
        }
    }
}
