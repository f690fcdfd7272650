package dev.wharf.cache.remote;

import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheRecord;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.blob.BlobStore;
import java.util.Collection;

/**
 * One place a build cache is exported to or imported from: a registry repository ({@link RegistryCache}) or an OCI
 * image layout directory ({@link LayoutCache}).
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface RemoteCache {
    /** Returns where this cache is, for messages, e.g. {@code registry 127.0.0.1:5000/app:cache}. */
    String describe();

    /**
     * Returns the name of the step that imports this cache: BuildKit names it {@code importing cache manifest from
     * REF} for a registry, with the reference exactly as the option gave it (no {@code :latest} added, no
     * {@code docker.io/}); by default the step names where the cache is.
     */
    default String importName() {
        return "importing cache manifest from " + describe();
    }

    /**
     * Whether {@code failure} of {@link #load} is also a warning of the build, besides failing the import step: by
     * default yes (buildx warns of a missing local cache directory); a registry cache whose reference does not
     * resolve fails BuildKit's import step alone, which the build survives without a word more.
     */
    default boolean failureIsWarning(Exception failure) {
        return true;
    }

    /**
     * Reads the cache's manifest and config (the config is stored in {@code store}); layer blobs are left for
     * {@link ImportedCache#blobs()}.
     *
     * @throws LayerException if the cache cannot be reached or read (a missing cache included)
     * @throws CacheException if what is there is not a wharf cache or is corrupt
     */
    ImportedCache load(BlobStore store) throws LayerException, CacheException;

    /**
     * Replaces the cache with {@code records}, uploading the layer blobs they name from {@code layers} (opened
     * only for blobs the destination lacks) before the manifest that references them.
     *
     * @throws LayerException if a blob or the manifest cannot be written
     */
    void save(Collection<CacheRecord> records, BlobProvider layers) throws LayerException;
}
