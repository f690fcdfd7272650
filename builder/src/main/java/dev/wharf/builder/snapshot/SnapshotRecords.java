package dev.wharf.builder.snapshot;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The snapshot records of a store ({@link MetadataStore}), with the committed ones kept in memory once read. A
 * committed record never changes (a commit writes a new name, and only a remove deletes one: in wharf only for
 * snapshots that were never committed, apart from this process's own removals, which drop the entry), so each is read
 * from disk once per process: a step resolves its parent chain several times (ensure, prepare, commit), and a RUN
 * fifty layers deep read some 150 records per step, ~2,600 file reads and JSON decodes in a 50-step build.
 * Thread-safe; writers hold the store lock.
 */
final class SnapshotRecords {
    private final MetadataStore metadata;
    private final Path root;
    private final Map<String, SnapshotRecord> committed = new ConcurrentHashMap<>();

    /** The records of {@code metadata}, in the store at {@code root} (for messages). */
    SnapshotRecords(MetadataStore metadata, Path root) {
        this.metadata = metadata;
        this.root = root;
    }

    /** The record of {@code name}: a committed one from memory once read, others from disk. */
    Optional<SnapshotRecord> find(String name) throws SnapshotException {
        SnapshotRecord known = committed.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<SnapshotRecord> read = metadata.get(name);
        read.filter(r -> r.kind() == SnapshotKind.COMMITTED).ifPresent(r -> committed.put(name, r));
        return read;
    }

    /** The record of {@code name}, which must exist. */
    SnapshotRecord existing(String keyOrName) throws SnapshotException {
        return find(keyOrName).orElseThrow(() -> new SnapshotException(
                "snapshot " + keyOrName + " does not exist in " + root));
    }

    /** The record of {@code name}, which must exist and be committed to be a parent. */
    SnapshotRecord parent(String name) throws SnapshotException {
        SnapshotRecord record = find(name).orElseThrow(() -> new SnapshotException(
                "parent snapshot " + name + " does not exist; unpack its layer first"));
        if (record.kind() != SnapshotKind.COMMITTED) {
            throw new SnapshotException("parent snapshot " + name + " is " + record.kind().name().toLowerCase()
                    + "; only committed snapshots can be parents");
        }
        return record;
    }

    /** Every record on disk, and the files that hold none. */
    MetadataStore.Listing all() throws SnapshotException {
        return metadata.all();
    }

    /** Writes {@code record}. */
    void put(SnapshotRecord record) throws SnapshotException {
        metadata.put(record);
        remember(record);
    }

    /** Deletes {@code record}; durably when it is committed. */
    void delete(SnapshotRecord record) throws SnapshotException {
        metadata.delete(record.name(), record.kind() == SnapshotKind.COMMITTED);
        committed.remove(record.name());
    }

    /** Keeps {@code record} in memory when it is committed: read from disk by someone else (a sweep). */
    void remember(SnapshotRecord record) {
        if (record.kind() == SnapshotKind.COMMITTED) {
            committed.put(record.name(), record);
        }
    }
}
