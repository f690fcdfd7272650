package dev.wharf.builder.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Snapshot metadata as one small JSON file per snapshot in {@code <root>/metadata}, named by the hex of the key so
 * any key (a ChainID with its colon, a path-like key) is a safe file name. Every write is temp + fsync + rename, so a
 * reader sees a whole record or none. Stateless apart from its paths; callers serialize writers with the store lock.
 */
final class MetadataStore {
    private static final String SUFFIX = ".json";
    private final Path dir;
    private final Path staging;
    private final ObjectMapper json = new ObjectMapper();

    MetadataStore(Path dir, Path staging) {
        this.dir = dir;
        this.staging = staging;
    }

    Optional<SnapshotRecord> get(String name) throws SnapshotException {
        Path file = fileOf(name);
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) {
                // An unsynced active record cut by a power loss (see put): the snapshot is gone with its step.
                return Optional.empty();
            }
            return Optional.of(json.readValue(bytes, SnapshotRecord.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SnapshotException("cannot read snapshot metadata " + file + " (" + e.getMessage()
                    + "); delete the file to forget the snapshot", e);
        }
    }

    void put(SnapshotRecord record) throws SnapshotException {
        try {
            if (record.kind() != SnapshotKind.COMMITTED) {
                // Active snapshots and views live for one step: a rename without fsync is atomic against a crash
                // of wharf; after a power loss the record may be empty, which get() reads as no record, and the
                // orphan sweep removes its directory. Committed snapshots are synced in full.
                Path temp = Files.createTempFile(staging, "record-", ".tmp");
                try {
                    Files.write(temp, json.writeValueAsBytes(record));
                    Files.move(temp, fileOf(record.name()), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temp);
                }
                return;
            }
            AtomicFiles.replace(fileOf(record.name()), json.writeValueAsBytes(record), staging);
        } catch (IOException e) {
            throw new SnapshotException("cannot write snapshot metadata for " + record.name() + " in " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    void delete(String name) throws SnapshotException {
        delete(name, true);
    }

    /** Deletes a record; {@code durable} syncs the directory (a committed snapshot's removal). */
    void delete(String name, boolean durable) throws SnapshotException {
        try {
            Files.deleteIfExists(fileOf(name));
            if (durable) {
                AtomicFiles.fsyncDirectory(dir);
            }
        } catch (IOException e) {
            throw new SnapshotException("cannot delete snapshot metadata for " + name + " in " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    List<SnapshotRecord> all() throws SnapshotException {
        List<SnapshotRecord> records = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String hex = file.getFileName().toString();
                String name = new String(HexFormat.of().parseHex(hex, 0, hex.length() - SUFFIX.length()),
                        StandardCharsets.UTF_8);
                get(name).ifPresent(records::add);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new SnapshotException("cannot list snapshot metadata in " + dir + ": " + e.getMessage(), e);
        }
        return records;
    }

    private Path fileOf(String name) {
        return dir.resolve(HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8)) + SUFFIX);
    }
}
