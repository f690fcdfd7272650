package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layout.StoreLock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a local store's integrity, the way {@code git fsck} does for a repository: every blob's content against its
 * digest, every tagged image's manifests, configs and layers, and the staging directory for files crashed writers
 * left. With repair on, it deletes corrupt blobs (a later pull, load or build writes them again) and stray staged
 * files; a missing blob cannot be repaired here and is reported with what to do.
 *
 * <p>Immutable and thread-safe. The check runs under the store lock, so no tag or garbage collection changes the
 * store meanwhile; blob writers take no lock, but they publish with an atomic link, so a blob is never seen half
 * written. Made by {@link LocalStore#checker()}.
 */
public final class StoreChecker {
    private final FileBlobStore blobs;
    private final FileImageStore images;
    private final StoreLock lock;
    private final ReferenceWalker walker;

    StoreChecker(FileBlobStore blobs, FileImageStore images, StoreLock lock, CanonicalJson json) {
        this.blobs = blobs;
        this.images = images;
        this.lock = lock;
        this.walker = new ReferenceWalker(blobs, new ImageReader(blobs, json));
    }

    /**
     * Checks the store.
     *
     * @param repair whether to delete corrupt blobs and replace a damaged {@code index.json} (kept aside) with the
     *     entries it still holds
     * @return the problems found, in the order: corrupt blobs, missing or unreadable references; staged files are
     *     checked separately ({@link #checkStaged}), because only the caller knows which are abandoned
     * @throws LayerException if the store itself cannot be read (the message names the path)
     */
    public List<StoreProblem> check(boolean repair) throws LayerException {
        List<StoreProblem> problems = new ArrayList<>();
        try (StoreLock.Held held = lock.acquire()) {
            // First, as every other check of names needs the index: a damaged one is reported (or moved aside and
            // rewritten) here, and without repair the tagged images' references cannot be checked.
            var index = images.checkIndex(repair, blobs.clock().instant());
            index.ifPresent(problems::add);
            List<Digest> corrupt = new ArrayList<>();
            blobs.walk(blob -> {
                String failure = verify(blob.digest());
                if (failure != null) {
                    corrupt.add(blob.digest());
                    StoreProblem problem = new StoreProblem(StoreProblem.Kind.CORRUPT_BLOB,
                            blob.digest().toString(), failure + " (" + blobs.layout().blob(blob.digest()) + ")",
                            false);
                    problems.add(repair && blobs.delete(blob.digest()) ? problem.asRepaired() : problem);
                }
            });
            if (index.isEmpty() || index.get().repaired()) {
                for (Descriptor root : images.roots()) {
                    checkReferences(root, problems);
                }
            }
        }
        return List.copyOf(problems);
    }

    /** Null when the blob reads back whole and hashes to its name, else what is wrong. */
    private String verify(Digest digest) throws LayerException {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = blobs.open(digest)) {
            while (in.read(buffer) >= 0) {
                // Reading to the end makes the verifying stream compare size and digest.
            }
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private void checkReferences(Descriptor root, List<StoreProblem> problems) {
        String name = root.annotations().getOrDefault(Descriptor.REF_NAME_ANNOTATION, root.digest().toString());
        try {
            for (Descriptor missing : walker.walk(List.of(root)).missing()) {
                problems.add(new StoreProblem(StoreProblem.Kind.MISSING_BLOB, missing.digest().toString(),
                        missing.mediaType() + " of image " + name + " is missing; build, pull or load the image "
                                + "again, or remove it with wharf rmi " + name, false));
            }
        } catch (LayerException e) {
            problems.add(new StoreProblem(StoreProblem.Kind.UNREADABLE_MANIFEST, name, e.getMessage()
                    + "; build, pull or load the image again, or remove it with wharf rmi " + name, false));
        }
    }

    /**
     * Finds (and with repair on, deletes) the staged files last written before {@code stagedBefore}: what writers
     * killed mid-write left in {@code ingest/}. Cheap; run by the next wharf command when no other one is alive.
     *
     * @param stagedBefore files last written before this are strays (a live writer keeps writing its file): the
     *     present when no other process uses the store, else a cutoff such as
     *     {@link dev.wharf.layers.blob.BlobStoreOptions#DEFAULT_STALE_INGEST_AGE} ago
     */
    public List<StoreProblem> checkStaged(boolean repair, Instant stagedBefore) throws LayerException {
        List<StoreProblem> problems = new ArrayList<>();
        Path ingest = blobs.layout().ingestDir();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(ingest)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attributes =
                            Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!attributes.isRegularFile()
                            || !attributes.lastModifiedTime().toInstant().isBefore(stagedBefore)) {
                        continue;
                    }
                    StoreProblem problem = new StoreProblem(StoreProblem.Kind.STRAY_TEMP_FILE, entry.toString(),
                            "staged file of an interrupted write (" + attributes.size() + " bytes)", false);
                    problems.add(repair && Files.deleteIfExists(entry) ? problem.asRepaired() : problem);
                } catch (NoSuchFileException e) {
                    // Published or discarded by its writer meanwhile.
                }
            }
        } catch (NoSuchFileException e) {
            // No staging directory: nothing was ever staged.
        } catch (IOException e) {
            throw new LayerException("cannot check the staging directory " + ingest + ": " + e.getMessage(), e);
        }
        return List.copyOf(problems);
    }
}
