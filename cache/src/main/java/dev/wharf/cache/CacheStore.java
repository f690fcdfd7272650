package dev.wharf.cache;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.GcRoots;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The build step cache: from a step's {@link CacheKey} to what the step produced, with explanations of misses and
 * pruning. BuildKit's {@code CacheKeyStorage} and {@code CacheResultStorage} ({@code solver/cachestorage.go}) in one
 * narrow interface.
 *
 * <p>Implementations are thread-safe; {@link FileCacheStore} is also safe for several processes sharing one
 * directory. A hit says the blobs existed when the record was saved: the blob store may have collected them since
 * (a prune in another process), so callers check that the layers exist and treat a record with missing blobs as a
 * miss.
 */
public interface CacheStore {
    /**
     * Finds the record of a key and marks it used now.
     *
     * @return the record, or empty on a miss
     * @throws CacheException if the store cannot be read
     */
    Optional<CacheRecord> lookup(CacheKey key) throws CacheException;

    /**
     * Saves what a step produced under the key of its inputs, replacing any record of that key.
     *
     * @return the saved record, created and last used now
     * @throws CacheException if the record cannot be written
     */
    CacheRecord save(CacheKeyInputs inputs, StepResult result) throws CacheException;

    /**
     * Saves a record made elsewhere (a cache imported from a registry) as it is, keeping its creation time so a hit
     * dates the step as the machine that built it did (BuildKit's combined cache manager saves a loaded remote
     * result into the local cache with its {@code CreatedAt} the same way, {@code solver/combinedcache.go}).
     * Replaces any record of that key.
     *
     * @return the saved record, last used now
     * @throws CacheException if the record cannot be written
     */
    CacheRecord importRecord(CacheRecord record) throws CacheException;

    /**
     * Explains why {@code inputs} miss: compares them with the most recently used record of the same
     * {@link CacheKeyInputs#identity()}, or says the step was never built.
     *
     * @throws CacheException if the store cannot be read
     */
    MissExplanation explainMiss(CacheKeyInputs inputs) throws CacheException;

    /**
     * Removes records as the options say.
     *
     * @return the removed keys and the blobs no remaining record references, for the blob store's collector
     * @throws CacheException if the store cannot be read or a record cannot be removed
     */
    PruneResult prune(PruneOptions options) throws CacheException;

    /**
     * Returns the layer blobs the records reference: garbage-collection roots for the blob store.
     *
     * @throws CacheException if the store cannot be read
     */
    Set<Descriptor> referencedBlobs() throws CacheException;

    /** Returns this store's {@link #referencedBlobs()} as roots for the blob store's garbage collector. */
    default GcRoots gcRoots() {
        return () -> {
            try {
                return List.copyOf(referencedBlobs());
            } catch (CacheException e) {
                throw new LayerException("cannot list the blobs the build cache uses, so nothing is collected: "
                        + e.getMessage(), e);
            }
        };
    }
}
