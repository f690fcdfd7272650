package dev.wharf.builder.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * always beneath an upper directory or read-only. Overlays are mounted with {@code userxattr} (Linux 5.11+), also as
 * root: overlayfs then keeps its opaque-directory marks in {@code user.overlay.opaque}, which Java can read (the
 * differ) and write (a layer extractor preparing lower directories), unlike {@code trusted.overlay.*}; it also turns
 * redirects off, so a renamed directory is copied up whole and the upper directory stays a complete diff, as
 * BuildKit's overlay differ requires. Thread-safe; see {@link LocalSnapshotter} for the on-disk layout.
 */
public final class OverlaySnapshotter extends LocalSnapshotter {
    private final boolean userxattr;

    /** Opens (creating if needed) an overlay snapshot store at {@code root} and sweeps orphans. */
    public OverlaySnapshotter(Path root) throws SnapshotException {
        super(root);
        this.userxattr = kernelAtLeast(5, 11);
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
    /**
     * Reads the upper directory as BuildKit's {@code util/overlay} differ ({@code Changes}) does: a 0:0 character
     * device is a deletion; an opaque directory that exists below also deletes every name below that it no longer
     * has; anything else is an addition or a modification depending on whether the parents have the path.
     * Directories that overlayfs merely copied up (same metadata as below) are not changes.
     */
    @Override
    List<Change> changesOf(Path dir, List<Path> parentFs) throws SnapshotException {
        List<Change> changes = new ArrayList<>();
        try {
            walk(dir.resolve("fs"), "", RootView.ofLayers(parentFs), changes);
        } catch (IOException e) {
            throw new SnapshotException("cannot read the changes in " + dir + ": " + e.getMessage(), e);
        }
        return List.copyOf(changes);
    }

    private static void walk(Path upperDir, String rel, RootView parents, List<Change> out) throws IOException {
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
            Optional<Path> below = parents.entry(path);
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
                if (stat.isDirectory() && lower.isDirectory() && RootView.isOpaque(upper)) {
                    // The directory was removed and made again: whatever it had below is gone unless re-created.
                    for (String old : parents.list(path)) {
                        if (!Files.exists(upper.resolve(old), LinkOption.NOFOLLOW_LINKS)) {
                            out.add(new Change(ChangeKind.DELETE, path + "/" + old, Optional.empty()));
                        }
                    }
                }
            }
            if (stat.isDirectory()) {
                walk(upper, path, parents, out);
            }
        }
    }

    /**
     * True when an overlay with {@code userxattr} can be mounted over directories in {@code dir} by this process, in
     * a throwaway mount namespace ({@code unshare --mount}): inside a user namespace the kernel refuses overlayfs on
     * some filesystems, and the copy snapshotter must then be used. The probe's directories are removed again.
     */
    public static boolean mountable(Path dir) {
        Path probe = null;
        try {
            Files.createDirectories(dir);
            probe = Files.createTempDirectory(dir, "probe-");
            for (String d : List.of("l", "u", "w", "m")) {
                Files.createDirectory(probe.resolve(d));
            }
            Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "mount", "-t",
                    "overlay", "-o", "lowerdir=" + probe.resolve("l") + ",upperdir=" + probe.resolve("u")
                    + ",workdir=" + probe.resolve("w") + ",userxattr", "overlay", probe.resolve("m").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (probe != null) {
                try {
                    dev.wharf.layers.layout.FileTrees.delete(probe);
                } catch (IOException ignored) {
                    // A leftover empty probe directory is harmless.
                }
            }
        }
    }

    /**
     * True when the running kernel is at least {@code major.minor}; overlayfs has {@code userxattr} since 5.11.
     */
    static boolean kernelAtLeast(int major, int minor) {
        try {
            String[] v = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim().split("[.-]");
            int ma = Integer.parseInt(v[0]);
            int mi = Integer.parseInt(v[1]);
            return ma > major || (ma == major && mi >= minor);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
