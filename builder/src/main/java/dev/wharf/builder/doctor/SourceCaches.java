package dev.wharf.builder.doctor;

import dev.wharf.cache.PruneOptions;
import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What the store remembers of remote sources beside the build cache records, pruned by the same rules ({@code wharf
 * prune}): the content checksums of git checkouts ({@code git-checksums/}) and of images' files ({@code
 * image-checksums/}), the ETags of downloads ({@code
 * http-etags/}) and the stored checkouts of git build contexts ({@code git-contexts/}). Each entry's modification
 * time is its last use (builds touch what they reuse), so {@code --filter until=} removes the entries not used for
 * that long, {@code --keep-storage} the least recently used until these entries take at most that many bytes (the
 * caller passes what the remaining cache records left of the user's limit: one budget for both, as BuildKit counts
 * its git and http sources among its cache records), and {@code --all} every one. An entry used since the oldest live
 * build on the store began is kept whatever the options say, as prune keeps such a build's blobs: it may be reading
 * a checkout. A lost entry only costs a download or a clone.
 *
 * <p>Stateless and thread-safe; safe against builds in other processes, which replace entries by rename.
 */
public final class SourceCaches {
    /** The directories of the store this prunes, relative to its root. */
    public static final List<String> DIRECTORIES = List.of("git-checksums", "image-checksums", "http-etags",
            "git-contexts");

    /** What a prune removed, and what the entries it kept use. */
    public record Pruned(int entries, long bytes, long remaining) {
    }

    private record Entry(Path path, Instant lastUsed, long size) {
    }

    private SourceCaches() {
    }

    /**
     * Removes the entries {@code options} select under the store {@code root}.
     *
     * @param liveSince when the oldest live wharf process on the store began, if any: entries used since are kept
     */
    public static Pruned prune(Path root, PruneOptions options, Instant now, Optional<Instant> liveSince)
            throws IOException {
        return prune(root, options, now, liveSince, () -> { });
    }

    /** {@link #prune}, running {@code listed} once every entry was read and before any goes (for tests). */
    static Pruned prune(Path root, PruneOptions options, Instant now, Optional<Instant> liveSince, Runnable listed)
            throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String dir : DIRECTORIES) {
            entries.addAll(entries(root.resolve(dir)));
        }
        listed.run();
        long total = entries.stream().mapToLong(Entry::size).sum();
        List<Entry> candidates = options.candidates(entries, Entry::lastUsed,
                Comparator.comparing(Entry::lastUsed).thenComparing(Entry::path), now);
        int removed = 0;
        long freed = 0;
        for (Entry e : candidates) {
            if (!options.all() && options.keepStorage().isPresent() && total <= options.keepStorage().getAsLong()) {
                break;
            }
            if (liveSince.isPresent() && !e.lastUsed().isBefore(liveSince.get())) {
                continue;
            }
            if (delete(e.path(), liveSince)) {
                removed++;
                freed += e.size();
                total -= e.size();
            }
        }
        return new Pruned(removed, freed, total);
    }

    /**
     * Deletes an entry unless a build used it since the listing, whose times may be long stale by now (sizing the
     * checkouts walks them all): a build reads a stored checkout in place, so deleting one it touched meanwhile
     * would pull its context from under it. A checkout is first renamed out of its name, so a build never finds half
     * of one (it clones when the name is gone), and its time read again after that: one touched up to the rename is
     * put back, one looked up after it is no longer found. A prune killed meanwhile leaves a {@code tmp-}
     * directory, removed next time. Whether the entry went.
     */
    private static boolean delete(Path entry, Optional<Instant> liveSince) throws IOException {
        Path doomed = entry;
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && !entry.getFileName().toString().startsWith("tmp-")) {
            doomed = entry.resolveSibling("tmp-pruned-" + UUID.randomUUID());
            try {
                Files.move(entry, doomed, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException gone) {
                return false;
            }
            if (usedSince(doomed, liveSince)) {
                try {
                    Files.move(doomed, entry, StandardCopyOption.ATOMIC_MOVE);
                    return false;
                } catch (FileSystemException stored) {
                    // A build stored the same commit again meanwhile: that entry serves, this one goes.
                }
            }
        } else if (usedSince(entry, liveSince)) {
            return false;
        }
        FileTrees.delete(doomed);
        return true;
    }

    /** Whether {@code path} was used since the oldest live build began (false when it is gone). */
    private static boolean usedSince(Path path, Optional<Instant> liveSince) throws IOException {
        if (liveSince.isEmpty()) {
            return false;
        }
        try {
            return !Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(liveSince.get());
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    private static List<Entry> entries(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    out.add(new Entry(p, a.lastModifiedTime().toInstant(),
                            a.isDirectory() ? FileTrees.regularFileBytes(p) : a.size()));
                } catch (NoSuchFileException gone) {
                    // Replaced or removed meanwhile by a build.
                }
            }
        } catch (NoSuchFileException none) {
            return List.of();
        }
        return out;
    }
}
