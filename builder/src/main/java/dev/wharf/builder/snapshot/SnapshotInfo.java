package dev.wharf.builder.snapshot;

import java.util.Objects;
import java.util.Optional;

/**
 * What a snapshotter knows about one snapshot: its key or name, kind and parent. Immutable and thread-safe.
 *
 * @param name   the key of an active or view snapshot, the name of a committed one
 * @param kind   its lifecycle state
 * @param parent the committed parent's name, or empty for a snapshot on an empty root
 */
public record SnapshotInfo(String name, SnapshotKind kind, Optional<String> parent) {
    public SnapshotInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(parent, "parent");
    }
}
