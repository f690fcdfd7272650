package dev.wharf.builder.snapshot;

import java.util.Objects;
import java.util.Optional;

/**
 * The persisted metadata of one snapshot: its key or name, kind, parent name and the numeric id of its directory
 * {@code <root>/snapshots/<id>}. Short numeric ids keep overlay {@code lowerdir=} options short. Immutable.
 */
record SnapshotRecord(String name, SnapshotKind kind, String parent, long id) {
    SnapshotRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }

    SnapshotInfo info() {
        return new SnapshotInfo(name, kind, Optional.ofNullable(parent));
    }
}
