package dev.wharf.layers.store;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobStoreOptions;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.image.ImageWriter;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layout.StoreLock;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The local image store at one root directory: blobs, image names and garbage collection over one OCI image layout,
 * sharing one lock and one JSON codec.
 *
 * <p>Thread-safe, and immutable but for a memory of its layers' sizes ({@link #layerSizes}); several processes may
 * open the same root. Open one instance per root and share it: a second instance in the same JVM works, but its
 * lock waits by polling.
 */
public final class LocalStore {
    private final FileBlobStore blobs;
    private final FileImageStore images;
    private final GarbageCollector garbageCollector;
    private final CanonicalJson json;
    private final StoreLock lock;
    private final LayerSizes layerSizes;

    private LocalStore(FileBlobStore blobs, FileImageStore images, GarbageCollector garbageCollector,
            CanonicalJson json, StoreLock lock, LayerSizes layerSizes) {
        this.lock = lock;
        this.layerSizes = layerSizes;
        this.blobs = blobs;
        this.images = images;
        this.garbageCollector = garbageCollector;
        this.json = json;
    }

    /** Opens (creating if needed) the store at {@code root} with default options. */
    public static LocalStore open(Path root) throws LayerException {
        return open(root, BlobStoreOptions.defaults());
    }

    /**
     * Opens (creating if needed) the store at {@code root}: an OCI layout with {@code oci-layout},
     * {@code index.json} and {@code blobs/}; abandoned staged writes are swept.
     */
    public static LocalStore open(Path root, BlobStoreOptions options) throws LayerException {
        FileBlobStore blobs = FileBlobStore.open(root, options);
        StoreLock lock = new StoreLock(blobs.layout().lockFile());
        CanonicalJson json = CanonicalJson.shared();
        FileImageStore images = new FileImageStore(blobs, lock, json);
        images.initialize();
        LayerSizes sizes = new LayerSizes(blobs);
        return new LocalStore(blobs, images, new GarbageCollector(blobs, images, lock, json, sizes), json, lock,
                sizes);
    }

    /** Returns the root directory. */
    public Path root() {
        return blobs.layout().root();
    }

    /** Returns the blob store. */
    public FileBlobStore blobs() {
        return blobs;
    }

    /** Returns the image names. */
    public ImageStore images() {
        return images;
    }

    /** Returns a reader of manifests, indexes and configs in this store. */
    public ImageReader reader() {
        return new ImageReader(blobs, json);
    }

    /** Returns a writer of configs, manifests and indexes into this store. */
    public ImageWriter writer() {
        return new ImageWriter(blobs, json);
    }

    /** Returns the garbage collector of this store. */
    public GarbageCollector garbageCollector() {
        return garbageCollector;
    }

    /** Returns the integrity checker of this store ({@code wharf doctor}). */
    public StoreChecker checker() {
        return new StoreChecker(blobs, images, lock, json);
    }

    /**
     * Returns the store-wide lock that image names and garbage collection hold; callers that must exclude those
     * (such as the cleaning of a killed build's state) take it too.
     */
    public StoreLock lock() {
        return lock;
    }

    /**
     * Claims stored blobs for a running build that reuses them (a cache hit): each one's commit time is set to now
     * under the store lock, which a garbage collection holds from mark to sweep. So either the collection ran before
     * and the build sees a blob missing (false: rebuild the step), or the blob counts as written since the build
     * began and {@code wharf prune} keeps it until the build has named it in its image, however old the blob and
     * whether or not the cache record naming it is pruned meanwhile. BuildKit protects such content with leases.
     *
     * @return whether every blob is stored
     * @throws LayerException if the store lock cannot be taken or a blob cannot be stat'ed
     */
    public boolean claim(Collection<Digest> digests) throws LayerException {
        if (digests.isEmpty()) {
            return true;
        }
        try (StoreLock.Held held = lock.acquire()) {
            boolean all = true;
            for (Digest digest : digests) {
                all &= blobs.touch(digest);
            }
            return all;
        }
    }

    /** Returns the index of compressed variants of layers, made for pushes and exports ({@code variants/}). */
    public CompressedVariants variants() {
        return CompressedVariants.at(root(), blobs);
    }

    /**
     * Returns the index of layers clamped to a {@code SOURCE_DATE_EPOCH} for the images exported with it
     * ({@code clamped/}).
     */
    public EpochVariants epochVariants() {
        return EpochVariants.of(this);
    }

    /**
     * Returns the content sizes of this store's layers, remembered in memory for this instance (and forgotten when
     * its garbage collector deletes a layer).
     */
    public LayerSizes layerSizes() {
        return layerSizes;
    }

    /** Returns the JSON codec used for image documents. */
    public CanonicalJson json() {
        return json;
    }
}
