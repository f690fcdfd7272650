package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layout.StoreLock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Mark-and-sweep garbage collection of a store's blobs: marks everything reachable from {@code index.json} and the
 * extra roots, then deletes the unmarked blobs older than the grace period.
 *
 * <p>Immutable and thread-safe. A collection holds the store lock from mark to sweep, so no tag can be added in
 * between; {@link FileImageStore#tag} checks its blobs under the same lock. Blobs committed but not yet tagged are
 * protected by the grace period and {@link GcOptions#keepSince}; old blobs a build reuses from a cache hit are made
 * new by {@link LocalStore#claim} under the same lock. One narrow race remains: a writer that re-commits a blob that already exists at
 * the moment a collection deletes it believes the blob is stored; its later {@code tag} then fails with a message
 * naming the missing blob, and writing the blob again repairs it. Nothing is ever silently lost from a tagged image.
 * Made by {@link LocalStore}.
 */
public final class GarbageCollector {
    private final FileBlobStore blobs;
    private final FileImageStore images;
    private final StoreLock lock;
    private final ReferenceWalker walker;
    private final Clock clock;
    private final LayerSizes sizes;

    GarbageCollector(FileBlobStore blobs, FileImageStore images, StoreLock lock, CanonicalJson json,
                     LayerSizes sizes) {
        this.blobs = blobs;
        this.images = images;
        this.lock = lock;
        this.walker = new ReferenceWalker(blobs, new ImageReader(blobs, json));
        this.clock = blobs.clock();
        this.sizes = sizes;
    }

    /**
     * Runs one collection.
     *
     * @throws LayerException if a referenced manifest or index is unreadable (nothing is deleted then: without it,
     *     wharf cannot know what it references; the message names the blob to remove or repair)
     */
    public GcReport collect(GcOptions options) throws LayerException {
        try (StoreLock.Held held = lock.acquire()) {
            List<Descriptor> roots = new ArrayList<>(images.roots());
            roots.addAll(options.extraRoots().roots());
            ReferenceWalker.Reachable reachable = walker.walk(roots);
            // Compressed variants (made for pushes and exports) live as long as the layer they compress.
            Set<Digest> keep = new HashSet<>(reachable.present());
            keep.addAll(CompressedVariants.at(blobs.layout().root(), blobs)
                    .kept(reachable.present()));
            Instant graceCutoff = clock.instant().minus(options.gracePeriod());
            Instant cutoff = options.keepSince().filter(since -> since.isBefore(graceCutoff)).orElse(graceCutoff);
            List<Digest> removed = new ArrayList<>();
            long[] freed = {0};
            int[] kept = {0};
            blobs.walk(blob -> {
                if (keep.contains(blob.digest()) || !isOlderThan(blob, cutoff)) {
                    kept[0]++;
                } else if (blobs.delete(blob.digest())) {
                    sizes.forget(blob.digest());
                    removed.add(blob.digest());
                    freed[0] += blob.size();
                }
            });
            // The indexes' records of blobs now gone, and temp files of killed writers, would pile up for ever.
            Path root = blobs.layout().root();
            IndexRecords.sweep(CompressedVariants.at(root, blobs).dir(), blobs, cutoff);
            IndexRecords.sweep(EpochVariants.dirOf(root), blobs, cutoff);
            return new GcReport(kept[0], removed, freed[0], reachable.missing());
        }
    }

    private static boolean isOlderThan(BlobInfo blob, Instant cutoff) {
        return blob.committedAt().isBefore(cutoff);
    }
}
