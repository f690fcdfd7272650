package dev.wharf.builder.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A snapshotter whose active snapshots are overlayfs mounts: the committed parents are the read-only lower
 * directories and each active snapshot gets a fresh upper directory, which is exactly its diff. Mirrors containerd's
 * {@code plugins/snapshots/overlay/overlay.go} ({@code mounts()}): no parent gives a bind mount, a view of one parent
 * a read-only bind of it, anything else an overlay with {@code lowerdir=} nearest parent first.
 *
 * <p>Lower directories are shared by every build and never written: only the sandbox's mount namespace mounts them,
 * always beneath an upper directory or read-only. Inside a user namespace the {@code userxattr} option is added, as
 * the kernel requires there. Thread-safe; see {@link LocalSnapshotter} for the on-disk layout.
 */
public final class OverlaySnapshotter extends LocalSnapshotter {
    private final boolean userxattr;

    /** Opens (creating if needed) an overlay snapshot store at {@code root} and sweeps orphans. */
    public OverlaySnapshotter(Path root) throws SnapshotException {
        super(root);
        this.userxattr = runningInUserNamespace();
    }

    @Override
    void populate(Path dir, SnapshotKind kind, List<Path> parentFs) throws SnapshotException {
        if (kind == SnapshotKind.ACTIVE) {
            try {
                Files.createDirectories(dir.resolve("work"));
            } catch (IOException e) {
                throw new SnapshotException("cannot create the overlay work directory in " + dir + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    List<Mount> mountsOf(Path dir, SnapshotKind kind, List<Path> parentFs) {
        if (parentFs.isEmpty()) {
            return List.of(Mount.bind(dir.resolve("fs").toString(), kind != SnapshotKind.ACTIVE));
        }
        if (kind == SnapshotKind.VIEW && parentFs.size() == 1) {
            return List.of(Mount.bind(parentFs.get(0).toString(), true));
        }
        List<String> options = new ArrayList<>();
        if (kind == SnapshotKind.ACTIVE) {
            options.add("workdir=" + dir.resolve("work"));
            options.add("upperdir=" + dir.resolve("fs"));
        }
        List<String> lowers = new ArrayList<>();
        for (Path p : parentFs) {
            lowers.add(p.toString());
        }
        options.add("lowerdir=" + String.join(Mount.LOWER_SEPARATOR, lowers));
        if (userxattr) {
            options.add("userxattr");
        }
        return List.of(new Mount("overlay", "overlay", options));
    }

    /**
     * Reads the upper directory: a 0:0 character device is a deletion, anything else an addition or a modification
     * depending on whether the parents have the path. Directories that overlayfs merely copied up (same metadata as
     * below) are not changes, as in BuildKit's {@code util/overlay} differ.
     */
    @Override
    List<Change> changesOf(Path dir, List<Path> parentFs) throws SnapshotException {
        List<Change> changes = new ArrayList<>();
        try {
            walk(dir.resolve("fs"), "", parentFs, changes);
        } catch (IOException e) {
            throw new SnapshotException("cannot read the changes in " + dir + ": " + e.getMessage(), e);
        }
        return List.copyOf(changes);
    }

    private static void walk(Path upperDir, String rel, List<Path> parentFs, List<Change> out) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(upperDir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        for (String name : names) {
            Path upper = upperDir.resolve(name);
            String path = rel + "/" + name;
            FileStat stat = FileStat.read(upper).orElse(null);
            if (stat == null) {
                continue;
            }
            Optional<Path> below = lowerPath(parentFs, path);
            if (stat.isWhiteout()) {
                if (below.isPresent()) {
                    out.add(new Change(ChangeKind.DELETE, path, Optional.empty()));
                }
                continue;
            }
            if (below.isEmpty()) {
                out.add(new Change(ChangeKind.ADD, path, Optional.of(upper)));
            } else {
                FileStat lower = FileStat.read(below.get()).orElseThrow();
                boolean copiedUpDir = stat.isDirectory() && lower.isDirectory()
                        && stat.sameAs(lower, upper, below.get());
                if (!copiedUpDir) {
                    out.add(new Change(ChangeKind.MODIFY, path, Optional.of(upper)));
                }
            }
            if (stat.isDirectory()) {
                walk(upper, path, parentFs, out);
            }
        }
    }

    /** The path in the nearest parent that has it, unless a nearer parent whites it out. */
    private static Optional<Path> lowerPath(List<Path> parentFs, String path) throws IOException {
        for (Path fs : parentFs) {
            Path candidate = fs.resolve(path.substring(1));
            Optional<FileStat> stat = FileStat.read(candidate);
            if (stat.isPresent()) {
                return stat.get().isWhiteout() ? Optional.empty() : Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** True when this process's user namespace is not the initial one (its uid map is not the identity). */
    private static boolean runningInUserNamespace() {
        try {
            String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
            return !map.matches("0\\s+0\\s+4294967295");
        } catch (IOException e) {
            return false;
        }
    }
}
