package dev.wharf.builder.snapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the snapshots whose parent chain reaches a parent that has no record (its record was damaged and swept, or
 * deleted by hand). Such a snapshot cannot be mounted: its lower layers are gone. It is not deleted for that: the
 * builder makes a missing snapshot again under its name (a layer's chain id, so the same content), and every
 * snapshot standing on it works again, without unpacking its own layer anew; only {@code wharf doctor --repair}
 * removes them, when no other process uses the store. Stateless.
 */
final class BrokenChains {
    private BrokenChains() {
    }

    /**
     * A snapshot standing on the missing parent {@code missing}, {@code depth} parent links above it (1: its own
     * parent is missing).
     */
    record Orphan(SnapshotRecord record, String missing, int depth) {
    }

    /** The records of {@code records} standing on a missing parent, deepest first (children before parents). */
    static List<Orphan> of(List<SnapshotRecord> records) {
        Map<String, SnapshotRecord> byName = new HashMap<>();
        records.forEach(r -> byName.put(r.name(), r));
        List<Orphan> found = new ArrayList<>();
        for (SnapshotRecord record : records) {
            Set<String> seen = new HashSet<>();
            int depth = 0;
            for (SnapshotRecord current = record; current.parent() != null && seen.add(current.name()); ) {
                depth++;
                SnapshotRecord parent = byName.get(current.parent());
                if (parent == null) {
                    found.add(new Orphan(record, current.parent(), depth));
                    break;
                }
                current = parent;
            }
        }
        found.sort(Comparator.comparingInt(Orphan::depth).reversed());
        return List.copyOf(found);
    }
}
