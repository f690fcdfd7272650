package dev.wharf.builder.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The read-only copies of a context directory that bind mounts show instead of the directory itself (owners reset to
 * 0:0, ignored files left out), made once per build and shared by its steps: BuildKit transfers the context once per
 * build and every {@code RUN --mount=type=bind} of it mounts that one snapshot, where wharf copied (and chowned) the
 * whole context again for each step. A copy is found by the context's sources (their identity: one per context of
 * the build, with its exclusions), the path inside it and whether owners are reset. The copies live in the build's
 * scratch directory, deleted when the build ends, however it ends. A writable mount still gets a private copy per
 * step, since its writes must be discarded.
 *
 * <p>Thread-safe: steps of parallel stages asking for the same copy wait for one maker.
 */
final class BindCopies {
    /** Makes a copy in an empty directory that does not exist yet. */
    @FunctionalInterface
    interface Maker {
        void make(Path into) throws Exception;
    }

    private record Key(CopySources sources, String path, boolean resetOwners) {
    }

    private final Path scratch;
    private final ConcurrentMap<Key, Entry> copies = new ConcurrentHashMap<>();

    BindCopies(Path scratch) {
        this.scratch = scratch;
    }

    /** The shared copy of {@code path} of {@code sources}, made by {@code maker} if this build has none yet. */
    Path copy(CopySources sources, String path, boolean resetOwners, Maker maker) throws Exception {
        Entry entry = copies.computeIfAbsent(new Key(sources, path, resetOwners), k -> new Entry());
        synchronized (entry) {
            if (entry.tree == null) {
                Path tree = Files.createTempDirectory(Files.createDirectories(scratch.resolve("context-copies")),
                        "copy-").resolve("data");
                maker.make(tree);
                entry.tree = tree;
            }
            return entry.tree;
        }
    }

    private static final class Entry {
        private Path tree; // guarded by this; null until made (a failed maker leaves it null, so a later step retries)
    }
}
