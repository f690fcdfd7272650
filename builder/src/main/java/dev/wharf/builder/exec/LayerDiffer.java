package dev.wharf.builder.exec;

import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.snapshot.Change;
import dev.wharf.builder.snapshot.ChangeKind;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.SnapshotException;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.layer.FileMetadataReader;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerChange;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns an active snapshot's changes into a layer blob. An overlay snapshot's upper directory is read directly (its
 * whiteouts and opaque directories become {@code .wh.} entries); a copy-based snapshot is compared with its parent.
 * A step that changed nothing still yields a layer, an empty tar: BuildKit keeps one layer per RUN, COPY, ADD and
 * WORKDIR (its exporter's {@code normalizeLayersAndHistory} never drops one), which is where the well-known empty
 * layer of BuildKit images comes from.
 *
 * <p>Thread-safe.
 */
final class LayerDiffer {
    private final Snapshotter snapshotter;
    private final PosixFiles posix;

    LayerDiffer(Snapshotter snapshotter, PosixFiles posix) {
        this.snapshotter = snapshotter;
        this.posix = posix;
    }

    /**
     * The layer of the active snapshot {@code key}, written by {@code writer}; an empty tar when nothing changed (as
     * BuildKit keeps one). The writing is reported to {@code listener} as step {@code step}'s {@link LayerProgress}.
     */
    LayerBlob diff(String key, List<Mount> mounts, LayerWriter writer, ProgressListener listener, int step)
            throws SnapshotException, LayerException {
        Mount root = mounts.get(0);
        if (root.type().equals("overlay")) {
            // The upper directory is scanned and written in one pass, with no list of its entries: a COPY of a
            // million files stays in a small heap. Its size is not known ahead: progress shows the bytes so far.
            LayerProgress progress = new LayerProgress(listener, step, List.of(), System::nanoTime);
            LayerBlob layer = writer.writeStreaming(Path.of(root.writableDir().orElseThrow()), true,
                    progress);
            progress.done();
            return layer;
        }
        List<LayerChange> changes = changes(key, Path.of(root.source()));
        LayerProgress progress = new LayerProgress(listener, step, changes, System::nanoTime);
        LayerBlob layer = writer.write(changes, progress);
        progress.done();
        return layer;
    }

    /**
     * The snapshot's changes, each preceded by those of its parent directories that no change names yet, with their
     * metadata in the snapshot under {@code fs} (its root mount's source). The double walk reports a directory only
     * when its own metadata changed, so a file rewritten deep in a lower directory came without its parents; the
     * layers of BuildKit carry them all: containerd's ChangeWriter adds every parent not yet written
     * ({@code includeParents}, for the overlay differ, which also leaves out unchanged directories) and an overlay
     * upper directory holds every parent it copied up. They keep their real mtime (overlayfs's copy-up keeps the
     * lower one, a write into the directory sets a new one), as read here.
     */
    private List<LayerChange> changes(String key, Path fs) throws SnapshotException, LayerException {
        FileMetadataReader reader = new FileMetadataReader(posix);
        List<LayerChange> out = new ArrayList<>();
        Set<String> named = new HashSet<>();
        for (Change change : snapshotter.changes(key)) {
            String path = change.path().substring(1);
            addParents(path, fs, reader, named, out);
            named.add(path);
            if (change.kind() == ChangeKind.DELETE) {
                out.add(new LayerChange.Deleted(path));
            } else {
                out.add(new LayerChange.Added(path, change.source().orElseThrow(),
                        reader.read(change.source().orElseThrow())));
            }
        }
        return out;
    }

    /** Adds {@code path}'s parent directories that are not in {@code named} yet, outermost first. */
    private static void addParents(String path, Path fs, FileMetadataReader reader,
            Set<String> named, List<LayerChange> out) throws LayerException {
        int slash = path.indexOf('/');
        while (slash > 0) {
            String parent = path.substring(0, slash);
            if (named.add(parent)) {
                Path source = fs.resolve(parent);
                out.add(new LayerChange.Added(parent, source, reader.read(source)));
            }
            slash = path.indexOf('/', slash + 1);
        }
    }
}
