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
 * A snapshotter for filesystems without overlayfs: every snapshot is a full copy of its parent (reflinked where the
 * filesystem can), mounted as a bind mount, and its changes are found by walking it beside the parent and comparing
 * metadata and, where timestamps are too coarse, content. A view shares its parent's directory read-only. Slower
 * and larger than {@link OverlaySnapshotter}, with the same contract. Thread-safe; see {@link LocalSnapshotter} for
 * the on-disk layout.
 */
public final class CopySnapshotter extends LocalSnapshotter {
    /** Opens (creating if needed) a copy-based snapshot store at {@code root} and sweeps orphans. */
    public CopySnapshotter(Path root) throws SnapshotException {
        super(root);
    }

    @Override
    void populate(Path dir, SnapshotKind kind, List<Path> parentFs) throws SnapshotException {
        if (parentFs.isEmpty() || kind == SnapshotKind.VIEW) {
            // A view is read-only, so it can share its parent's directory instead of copying it.
            return;
        }
        try {
            // The nearest parent is itself a full copy, so it alone is the base.
            Trees.copyContents(parentFs.get(0), dir.resolve("fs"));
        } catch (IOException e) {
            throw new SnapshotException("cannot copy parent snapshot " + parentFs.get(0) + ": " + e.getMessage()
                    + "; check free disk space", e);
        }
    }

    @Override
    List<Mount> mountsOf(Path dir, SnapshotKind kind, List<Path> parentFs) {
        if (kind == SnapshotKind.VIEW && !parentFs.isEmpty()) {
            return List.of(Mount.bind(parentFs.get(0).toString(), true));
        }
        return List.of(Mount.bind(dir.resolve("fs").toString(), kind != SnapshotKind.ACTIVE));
    }

    @Override
    List<Change> changesOf(Path dir, List<Path> parentFs) throws SnapshotException {
        List<Change> changes = new ArrayList<>();
        Path base = parentFs.isEmpty() ? null : parentFs.get(0);
        try {
            diff(dir.resolve("fs"), base, "", changes);
        } catch (IOException e) {
            throw new SnapshotException("cannot compare snapshot " + dir + " with its parent: " + e.getMessage(), e);
        }
        return List.copyOf(changes);
    }

    /** A double walk in name order, as continuity's {@code fs.Changes} does. */
    private static void diff(Path current, Path base, String rel, List<Change> out) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        names.addAll(list(current));
        if (base != null) {
            names.addAll(list(base));
        }
        for (String name : names) {
            String path = rel + "/" + name;
            Path now = current.resolve(name);
            Path before = base == null ? null : base.resolve(name);
            Optional<FileStat> nowStat = FileStat.read(now);
            Optional<FileStat> beforeStat = before == null ? Optional.empty() : FileStat.read(before);
            if (nowStat.isEmpty()) {
                if (beforeStat.isPresent()) {
                    out.add(new Change(ChangeKind.DELETE, path, Optional.empty()));
                }
                continue;
            }
            if (beforeStat.isEmpty()) {
                out.add(new Change(ChangeKind.ADD, path, Optional.of(now)));
                if (nowStat.get().isDirectory()) {
                    diff(now, null, path, out);
                }
                continue;
            }
            boolean bothDirs = nowStat.get().isDirectory() && beforeStat.get().isDirectory();
            if (!nowStat.get().sameAs(beforeStat.get(), now, before)) {
                if (!bothDirs && beforeStat.get().isDirectory()) {
                    // A directory replaced by a file: report the old tree as gone first.
                    out.add(new Change(ChangeKind.DELETE, path, Optional.empty()));
                    out.add(new Change(ChangeKind.ADD, path, Optional.of(now)));
                } else {
                    out.add(new Change(ChangeKind.MODIFY, path, Optional.of(now)));
                }
            }
            if (nowStat.get().isDirectory()) {
                diff(now, bothDirs ? before : null, path, out);
            }
        }
    }

    private static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }
}
