package dev.wharf.builder.exec;

import dev.wharf.cache.PruneOptions;
import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Prunes the contents of {@code RUN --mount=type=cache} mounts in the store's {@code cache-mounts/}, as {@code docker
 * builder prune} prunes BuildKit's {@code exec.cachemount} records: a cache no running step holds goes by the rules
 * of the build cache records ({@code --all} every one, {@code --filter until=} those not used for that long, {@code
 * --keep-storage} the least recently used until the rest fit what the records and remembered sources left of the
 * limit), its last use being the later of its lock file's time (marked at each use's start and end,
 * {@link CacheMountLock#ofCache}) and its directory's. A cache in use is kept whatever the options say: prune takes
 * its lock alone without waiting and skips it when a step holds it, and retires the lock file with the cache so a
 * step waiting for it opens a new one ({@link CacheMountLock}).
 *
 * <p>Caches are found by their names, not their keys, so caches no build asks for any more (the {@code from=} caches
 * earlier versions keyed by the source's checksum, or of a stage since rebuilt) age out like the others, and a
 * record or lock file whose directory is gone goes with the next prune that selects it. What killed builds or prunes
 * left (a cache's start directory not yet renamed into place, a context copy of a fill, a pruned cache not yet
 * deleted) goes when no wharf process on the store is older than it.
 *
 * <p>Stateless and thread-safe; safe against builds in other processes.
 */
public final class CacheMountPrune {
    /** The store's directory of cache mounts, relative to its root. */
    public static final String DIRECTORY = "cache-mounts";

    private static final String PRUNED_PREFIX = "tmp-pruned-";
    private static final List<String> SIDECARS = List.of(".fill.lock", ".filled", ".lock");

    /** What a prune removed: the names of the caches, and the bytes freed; what the kept caches use. */
    public record Pruned(List<String> removed, long bytes, long remaining) {
        public Pruned {
            removed = List.copyOf(removed);
        }
    }

    /** One cache: its name (the hex of its key), directory, last use, size and whether it had a lock file. */
    private record Cache(String name, Path dir, Instant lastUsed, long size, boolean locked) {
    }

    private CacheMountPrune() {
    }

    /**
     * Removes the caches {@code options} select under the store {@code root}.
     *
     * @param liveSince when the oldest live wharf process on the store began, if any: leftovers of killed builds
     *                  newer than that may be a live build's, and are kept
     */
    public static Pruned prune(Path root, PruneOptions options, Instant now, Optional<Instant> liveSince)
            throws IOException {
        Path dir = root.resolve(DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return new Pruned(List.of(), 0, 0);
        }
        Map<String, List<Path>> groups = new TreeMap<>();
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                if (isLeftover(name)) {
                    leftovers.add(p);
                } else {
                    groups.computeIfAbsent(cacheName(name), k -> new ArrayList<>()).add(p);
                }
            }
        }
        long freed = dropLeftovers(leftovers, liveSince);
        List<Cache> caches = new ArrayList<>();
        for (String name : groups.keySet()) {
            cache(dir, name).ifPresent(caches::add);
        }
        long total = caches.stream().mapToLong(Cache::size).sum();
        List<String> removed = new ArrayList<>();
        for (Cache c : options.candidates(caches, Cache::lastUsed,
                Comparator.comparing(Cache::lastUsed).thenComparing(Cache::name), now)) {
            if (!options.all() && options.keepStorage().isPresent() && total <= options.keepStorage().getAsLong()) {
                break;
            }
            if (remove(c, options.all())) {
                removed.add(c.name());
                freed += c.size();
                total -= c.size();
            }
        }
        return new Pruned(removed, freed, total);
    }

    /**
     * Removes one cache unless a step holds it, or (unless {@code all}) used it since it was listed. The directory is
     * renamed out of its name under the lock, so the next step that takes the lock finds no cache and starts an
     * empty one, and deleted after the lock is released: a large cache does not keep waiting steps waiting.
     */
    private static boolean remove(Cache c, boolean all) throws IOException {
        CacheMountLock lock = new CacheMountLock(c.dir().resolveSibling(c.name() + ".lock"));
        Optional<CacheMountLock.Held> held = lock.tryExclusive();
        if (held.isEmpty()) {
            return false; // in use by a step of a running build
        }
        Path doomed = c.dir().resolveSibling(PRUNED_PREFIX + UUID.randomUUID());
        try (CacheMountLock.Held h = held.get()) {
            // The listing's times may be long stale by now (sizing walks every cache). A lock file this prune's
            // lock made (a cache of a version that made none) is no use.
            Optional<Instant> now = lastUsed(c.dir().getParent(), c.name(), c.locked());
            if (now.isEmpty() || !all && now.get().isAfter(c.lastUsed())) {
                return false;
            }
            boolean moved = false;
            try {
                Files.move(c.dir(), doomed, StandardCopyOption.ATOMIC_MOVE);
                moved = true;
            } catch (NoSuchFileException none) {
                // Only the records of a cache whose directory is gone (a from= cache not filled yet, or one
                // deleted by hand).
            }
            // The fill record goes after the directory: the other way round, a crash would leave a directory
            // without its record, whose fills would copy back what the steps deleted.
            Files.deleteIfExists(c.dir().resolveSibling(c.name() + ".filled"));
            Files.deleteIfExists(c.dir().resolveSibling(c.name() + ".fill.lock"));
            lock.retire();
            if (!moved) {
                return true;
            }
        }
        FileTrees.delete(doomed);
        return true;
    }

    /** The cache {@code name} of {@code dir} as it is now, if anything of it is there. */
    private static Optional<Cache> cache(Path dir, String name) throws IOException {
        boolean locked = Files.exists(dir.resolve(name + ".lock"), LinkOption.NOFOLLOW_LINKS);
        Optional<Instant> lastUsed = lastUsed(dir, name, true);
        if (lastUsed.isEmpty()) {
            return Optional.empty();
        }
        long size = 0;
        for (String suffix : allNames()) {
            size += size(dir.resolve(name + suffix));
        }
        return Optional.of(new Cache(name, dir.resolve(name), lastUsed.get(), size, locked));
    }

    /** The latest time of the cache's directory and files (its lock file's only with {@code withLock}). */
    private static Optional<Instant> lastUsed(Path dir, String name, boolean withLock) throws IOException {
        Instant lastUsed = null;
        for (String suffix : allNames()) {
            if (!withLock && suffix.equals(".lock")) {
                continue;
            }
            try {
                Instant t = Files.getLastModifiedTime(dir.resolve(name + suffix), LinkOption.NOFOLLOW_LINKS)
                        .toInstant();
                if (lastUsed == null || t.isAfter(lastUsed)) {
                    lastUsed = t;
                }
            } catch (NoSuchFileException gone) {
                // Not made (yet), or removed.
            }
        }
        return Optional.ofNullable(lastUsed);
    }

    private static List<String> allNames() {
        List<String> out = new ArrayList<>();
        out.add("");
        out.addAll(SIDECARS);
        return out;
    }

    /**
     * A cache's name from the name of its directory or one of its sidecar files, including a fill record being
     * replaced ({@code NAME.filled-RANDOM.tmp}, AtomicFiles' temp file beside it): taken for a cache of its own, a
     * prune could move it away under a lock of its own while the fill writes it, failing the fill's RUN.
     */
    static String cacheName(String entry) {
        int staged = entry.indexOf(".filled-");
        if (staged > 0 && entry.endsWith(".tmp")) {
            return entry.substring(0, staged);
        }
        for (String suffix : SIDECARS) {
            if (entry.endsWith(suffix)) {
                return entry.substring(0, entry.length() - suffix.length());
            }
        }
        return entry;
    }

    /**
     * Whether {@code name} is what a killed step or prune left: a new cache's start directory ({@code new-}), a
     * context copy of a fill (with {@link TreeCopies#STAGING_PREFIX}), a pruned cache not yet deleted.
     */
    private static boolean isLeftover(String name) {
        return name.startsWith("new-") || name.contains(TreeCopies.STAGING_PREFIX) || name.startsWith(PRUNED_PREFIX);
    }

    /**
     * Deletes the leftovers made before the oldest live wharf process began (all of them when none is live). A
     * fill's context copy keeps its context's times, so it goes only under its cache's lock: a fill holds that.
     */
    private static long dropLeftovers(List<Path> leftovers, Optional<Instant> liveSince) throws IOException {
        long freed = 0;
        for (Path p : leftovers) {
            String name = p.getFileName().toString();
            int staging = name.indexOf(TreeCopies.STAGING_PREFIX);
            try {
                if (staging > 0) {
                    CacheMountLock lock = new CacheMountLock(p.resolveSibling(name.substring(0, staging) + ".lock"));
                    Optional<CacheMountLock.Held> held = lock.tryExclusive();
                    if (held.isPresent()) {
                        try (CacheMountLock.Held h = held.get()) {
                            freed += delete(p);
                        }
                    }
                    continue;
                }
                Instant made = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
                if (name.startsWith(PRUNED_PREFIX) || liveSince.isEmpty() || made.isBefore(liveSince.get())) {
                    freed += delete(p);
                }
            } catch (NoSuchFileException gone) {
                // Renamed into place or deleted by its owner meanwhile.
            }
        }
        return freed;
    }

    private static long delete(Path p) throws IOException {
        long size = size(p);
        FileTrees.delete(p);
        return size;
    }

    /** {@link FileTrees#regularFileBytes}, 0 for a tree deleted meanwhile. */
    private static long size(Path path) throws IOException {
        try {
            return FileTrees.regularFileBytes(path);
        } catch (NoSuchFileException gone) {
            return 0;
        }
    }
}
