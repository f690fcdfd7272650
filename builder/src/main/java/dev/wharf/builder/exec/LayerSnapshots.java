package dev.wharf.builder.exec;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.SnapshotException;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.builder.snapshot.RootView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * Makes sure a stack of layers exists as committed snapshots named by ChainID, unpacking missing ones from their
 * blobs: blobs are the source of truth, snapshots a disposable cache of them.
 *
 * <p>With the overlay snapshotter a layer is unpacked into an empty upper directory, where deleting what a whiteout
 * names does nothing: the whiteouts are then written in overlayfs's own form (a 0:0 character device for
 * {@code .wh.NAME}, the {@code overlay.opaque} xattr for {@code .wh..wh..opq}) so the lower layers' files stay
 * hidden, as containerd's overlay applier does.
 *
 * <p>Thread-safe if the snapshotter is.
 */
final class LayerSnapshots {
    private final Snapshotter snapshotter;
    private final BlobProvider blobs;
    private final LayerApplier applier;
    private final PosixFiles posix;

    LayerSnapshots(Snapshotter snapshotter, BlobProvider blobs, PosixFiles posix) {
        this.snapshotter = snapshotter;
        this.blobs = blobs;
        this.applier = new LayerApplier(posix);
        this.posix = posix;
    }

    /** The name of the committed snapshot holding {@code layers}, or null for no layers (an empty root). */
    String ensure(List<LayerBlob> layers) throws SnapshotException, LayerException {
        List<Digest> chain = ChainIds.of(layers.stream().map(LayerBlob::diffId).toList());
        String parent = null;
        for (int i = 0; i < layers.size(); i++) {
            String name = ChainIds.snapshotName(chain.get(i));
            if (snapshotter.stat(name).isEmpty()) {
                unpack(layers.get(i), parent, name);
            }
            parent = name;
        }
        return parent;
    }

    /**
     * Commits {@code key} as {@code name} unless a snapshot of that name exists: another build (or stage) may have
     * made the same snapshot at the same time, and then its copy serves both. Returns whether {@code key} was
     * committed; if not, the caller removes it.
     */
    static boolean commitUnlessPresent(Snapshotter snapshotter, String name, String key) throws SnapshotException {
        if (snapshotter.stat(name).isPresent()) {
            return false;
        }
        try {
            snapshotter.commit(name, key);
            return true;
        } catch (SnapshotException e) {
            if (snapshotter.stat(name).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    private void unpack(LayerBlob layer, String parent, String name) throws SnapshotException, LayerException {
        String key = "unpack-" + UUID.randomUUID();
        List<Mount> mounts = snapshotter.prepare(key, parent);
        boolean committed = false;
        try {
            Path dir = Path.of(mounts.get(0).writableDir().orElseThrow());
            try (InputStream in = blobs.open(layer.descriptor().digest())) {
                applier.apply(in, dir);
                if (mounts.get(0).type().equals("overlay")) {
                    new OverlayWhiteouts(posix, RootView.of(mounts)).write(blobs, layer, dir);
                }
            } catch (IOException e) {
                throw new LayerException("cannot unpack layer " + layer.descriptor().digest() + ": "
                        + e.getMessage(), e);
            }
            committed = commitUnlessPresent(snapshotter, name, key);
        } finally {
            if (!committed) {
                snapshotter.remove(key);
            }
        }
    }
}
