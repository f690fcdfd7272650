package dev.wharf.builder.exec;

import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The content of a cache mount that starts from a {@code from=} stage or image. BuildKit makes such a cache a
 * mutable snapshot of the whole from state (solver/llbsolver/mounts/mount.go, getRefCacheDir, keyed by the id and
 * the from ref) and each RUN mounts its {@code source=} path of it (the exec mount's selector): RUNs of one id and
 * one from with different sources share one cache, each seeing its own path of it, and what one writes under a path
 * shows in every mount of a path above it (measured on the peer, dockerd 26).
 *
 * <p>wharf's cache directory stands for the root of that state but is filled lazily: a path is copied from the
 * stage the first time a mount shows it (with its missing parent directories, as the stage has them), and from then
 * on belongs to the cache. The paths filled so far are listed in a file beside the cache, so that a mount of a wider
 * path adds only what is not there yet and never brings back what a RUN deleted. Copying the whole stage up front,
 * which costs BuildKit's snapshotter nothing, would copy a builder stage of gigabytes to cache its {@code /root/.m2}.
 *
 * <p>Thread-safe across threads and processes: filling takes the cache's fill lock exclusively. Filling only adds
 * paths nobody can see yet, so it never disturbs a RUN already using the cache.
 */
final class CacheFills {
    private final PosixFiles posix;
    private final Path root;
    private final Path record;
    private final Path lockFile;

    /** The fills of the cache at {@code root} (which need not exist yet). */
    CacheFills(PosixFiles posix, Path root) {
        this.posix = posix;
        this.root = root;
        this.record = root.resolveSibling(root.getFileName() + ".filled");
        this.lockFile = root.resolveSibling(root.getFileName() + ".fill.lock");
    }

    /**
     * Makes sure the cache holds {@code path} (relative, no leading slash, {@code ""} for the root, symlinks already
     * resolved in {@code sources}): copied from {@code sources} unless the cache already has it or a path above it;
     * a path the stage lacks is made as an empty directory by {@code missing}, when given.
     */
    void fill(CopySources sources, String path, Optional<DirectoryMaker> missing) throws Exception {
        try (CacheMountLock.Held held = new CacheMountLock(lockFile).exclusive()) {
            // A cache directory removed by hand or by a prune, or never made (a crash between the record and the
            // directory) starts over: its record would otherwise claim paths that are gone.
            Set<String> filled = Files.exists(root, LinkOption.NOFOLLOW_LINKS) ? read() : new LinkedHashSet<>();
            if (covered(filled, path)) {
                return;
            }
            Optional<Path> source = sources.find(path);
            if (source.isEmpty() && missing.isEmpty()) {
                return; // the mount's own check reports the missing path, as BuildKit's open of it does
            }
            // A named local context is read as COPY --from reads it: without what its .dockerignore excludes (find
            // does not know those paths) and with every owner 0:0, as BuildKit's client sends a local source.
            boolean resetOwners = sources.isContext() && RunMounts.EFFECTIVE_ROOT;
            boolean newRoot = !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
            makeParents(sources, path, resetOwners);
            Path into = path.isEmpty() ? root : root.resolve(path);
            dropLeftovers(into.getParent());
            if (source.isPresent()) {
                merge(sources, path, source.get(), into, filled, resetOwners);
            } else if (!Files.exists(into, LinkOption.NOFOLLOW_LINKS)) {
                missing.get().make(into);
            }
            if (newRoot && path.isEmpty() && source.isPresent()) {
                // Made before its entries, as the stage has it: its time is the stage's, not the fill's.
                Files.setLastModifiedTime(root, Files.getLastModifiedTime(source.get(), LinkOption.NOFOLLOW_LINKS));
            }
            // Only now, with every entry under its final name: a fill interrupted before is done again, and keeps
            // only whole entries of the interrupted one (TreeCopies.merge).
            filled.removeIf(p -> p.equals(path) || path.isEmpty() || p.startsWith(path + "/"));
            filled.add(path);
            write(filled);
        }
    }

    private void merge(CopySources sources, String path, Path source, Path into, Set<String> filled,
                       boolean resetOwners) throws Exception {
        if (!sources.isContext()) {
            TreeCopies.merge(posix, source, into, p -> filled.contains(relative(p)));
            return;
        }
        // Through the context's scan, so its excludes hold, into a copy whose owners are then reset; merged from
        // there. Beside the cache, not in it: a RUN must never see it. A copy left by a crash is a leftover of the
        // cache directory (CacheMountPrune removes it).
        Path copy = root.resolveSibling(root.getFileName() + TreeCopies.STAGING_PREFIX + UUID.randomUUID());
        try {
            sources.copyTree(path, copy);
            if (resetOwners) {
                OwnerResets.reset(copy);
            }
            TreeCopies.merge(posix, copy, into, p -> filled.contains(relative(p)));
        } finally {
            FileTrees.delete(copy);
        }
    }

    /** Deletes what an interrupted fill staged in {@code dir} of the cache, if the cache has that directory. */
    private void dropLeftovers(Path dir) throws IOException {
        if (!dir.startsWith(root) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (TreeCopies.isStaging(p.getFileName().toString())) {
                    FileTrees.delete(p);
                }
            }
        }
    }

    /** Makes a directory the stage does not have (the start of {@code uid}/{@code gid}/{@code mode} caches). */
    @FunctionalInterface
    interface DirectoryMaker {
        void make(Path dir) throws IOException;
    }

    private static boolean covered(Set<String> filled, String path) {
        for (String p : filled) {
            if (p.isEmpty() || p.equals(path) || path.startsWith(p + "/")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes the root and the directories above {@code path} that the cache lacks, as the stage has them (owned by
     * 0:0 when {@code resetOwners}).
     */
    private void makeParents(CopySources sources, String path, boolean resetOwners) throws Exception {
        List<String> prefixes = new ArrayList<>();
        prefixes.add(""); // the root too: a fill of the whole state merges into it rather than staging it whole
        int slash = path.indexOf('/');
        while (slash >= 0) {
            prefixes.add(path.substring(0, slash));
            slash = path.indexOf('/', slash + 1);
        }
        Files.createDirectories(root.getParent());
        for (String prefix : prefixes) {
            Path dir = prefix.isEmpty() ? root : root.resolve(prefix);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Optional<Path> stageDir = sources.find(prefix);
            if (stageDir.isPresent() && Files.isDirectory(stageDir.get(), LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(stageDir.get(), dir, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                if (resetOwners) {
                    OwnerResets.reset(dir);
                }
            } else {
                Files.createDirectory(dir);
            }
        }
    }

    private String relative(Path p) {
        return root.relativize(p).toString();
    }

    private Set<String> read() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        if (Files.exists(record)) {
            for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
                // Each line is "/" and the path, so the root's empty path is a line too.
                if (line.startsWith("/")) {
                    out.add(line.substring(1));
                }
            }
        }
        return out;
    }

    private void write(Set<String> filled) throws IOException {
        StringBuilder text = new StringBuilder();
        filled.forEach(p -> text.append('/').append(p).append('\n'));
        AtomicFiles.replaceUnsynced(record, text.toString().getBytes(StandardCharsets.UTF_8), record.getParent());
    }
}
