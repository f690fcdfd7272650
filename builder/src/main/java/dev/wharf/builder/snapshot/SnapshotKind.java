package dev.wharf.builder.snapshot;

/** The lifecycle state of a snapshot, as in containerd's {@code snapshots.Kind}. Immutable. */
public enum SnapshotKind {
    /** A read-only snapshot on top of a committed parent, made by {@link Snapshotter#view}. */
    VIEW,
    /** A writable snapshot made by {@link Snapshotter#prepare}; {@link Snapshotter#commit} commits it. */
    ACTIVE,
    /** An immutable snapshot, addressed by its name (for a layer, its ChainID); the only kind that can be a parent. */
    COMMITTED
}
