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
import java.util.ArrayList;
import java.util.List;

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
            LayerBlob layer = writer.writeStreaming(java.nio.file.Path.of(root.writableDir().orElseThrow()), true,
                    progress);
            progress.done();
            return layer;
        }
        List<LayerChange> changes = changes(key);
        LayerProgress progress = new LayerProgress(listener, step, changes, System::nanoTime);
        LayerBlob layer = writer.write(changes, progress);
        progress.done();
        return layer;
    }

    private List<LayerChange> changes(String key) throws SnapshotException, LayerException {
        FileMetadataReader reader = new FileMetadataReader(posix);
        List<LayerChange> out = new ArrayList<>();
        for (Change change : snapshotter.changes(key)) {
            String path = change.path().substring(1);
            if (change.kind() == ChangeKind.DELETE) {
                out.add(new LayerChange.Deleted(path));
            } else {
                out.add(new LayerChange.Added(path, change.source().orElseThrow(),
                        reader.read(change.source().orElseThrow())));
            }
        }
        return out;
    }
}
