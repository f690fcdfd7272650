/**
 * Layered filesystem snapshots in containerd's model and words ({@code core/snapshots/snapshotter.go}):
 * {@link dev.wharf.builder.snapshot.Snapshotter} with {@code prepare}, {@code view}, {@code mounts},
 * {@code commit}, {@code remove}, {@code walk}, {@code usage} and {@code changes}; an overlayfs implementation
 * ({@link dev.wharf.builder.snapshot.OverlaySnapshotter}) whose upper directory is a RUN step's diff, and a
 * copy-based fallback ({@link dev.wharf.builder.snapshot.CopySnapshotter}) for filesystems without overlayfs.
 *
 * <p>Snapshots are a derived cache of layer blobs: committed ones are named by their layer ChainID and can be
 * rebuilt from blobs. Snapshotters only describe mounts ({@link dev.wharf.builder.snapshot.Mount}); the sandbox
 * performs them in its own mount namespace. The on-disk store is crash-safe: directories are built under a temp name
 * and renamed, metadata files are written temp + fsync + rename, and orphans are swept at start when a killed process's marker,
 * a flag or a day since the last sweep says something may have been left.
 *
 * <p>Package dependencies: uses {@code dev.wharf.layers.layout} (atomic files and the store lock) and Jackson.
 */
package dev.wharf.builder.snapshot;
