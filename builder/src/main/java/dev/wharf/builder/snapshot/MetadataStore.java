package dev.wharf.builder.snapshot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.posix.PathPresence;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Snapshot metadata as one small JSON file per snapshot in {@code <root>/metadata}, named by the hex of the key so
 * any key (a ChainID with its colon, a path-like key) is a safe file name. Every write is temp + fsync + rename, so a
 * reader sees a whole record or none. Stateless apart from its paths; callers serialize writers with the store lock.
 *
 * <p>Records are read and written with Jackson's streaming API rather than data binding: every build lists all
 * records at least once (the orphan sweep), and in a fresh JVM data binding's per-type introspection and reflective
 * construction cost about ten times as much per record as the tokens themselves. The format is the one data binding
 * wrote: {@code {"name":...,"kind":"ACTIVE|VIEW|COMMITTED","parent":...|null,"id":N}}.
 *
 * <p>A record that is empty or cannot be decoded (an unsynced active record cut by a power loss, see {@link #put},
 * or a damaged disk) is read as no record and reported to the {@code damaged} receiver: a snapshot is a disposable
 * copy of its layers, and the builder unpacks a missing one again, whereas an error here stopped every build that
 * used the snapshot, and one such file among the records made every listing (the orphan sweep at each opening)
 * fail, so no build could open the store. The sweep deletes such files ({@link Listing#damaged}).
 */
final class MetadataStore {
    private static final String SUFFIX = ".json";
    private final Path dir;
    private final Path staging;
    private static final JsonFactory JSON = new JsonFactory();
    private final Consumer<Damaged> damaged;

    /** A record file that is empty or cannot be decoded, and why. */
    record Damaged(Path file, String reason) {
    }

    /** Every readable record, and the files of the damaged ones. Immutable. */
    record Listing(List<SnapshotRecord> records, List<Path> damaged) {
        Listing {
            records = List.copyOf(records);
            damaged = List.copyOf(damaged);
        }
    }

    MetadataStore(Path dir, Path staging) {
        this(dir, staging, d -> {
        });
    }

    /** {@code damaged} receives each damaged record file read (it must not throw). */
    MetadataStore(Path dir, Path staging, Consumer<Damaged> damaged) {
        this.dir = dir;
        this.staging = staging;
        this.damaged = damaged;
    }

    Optional<SnapshotRecord> get(String name) throws SnapshotException {
        return read(fileOf(name), null);
    }

    /** Reads a record; a damaged one is none, added to {@code damagedFiles} when given and reported. */
    private Optional<SnapshotRecord> read(Path file, List<Path> damagedFiles) throws SnapshotException {
        // A step asks for records that are not there yet (its new snapshots' keys, 3 per RUN step): answer those
        // without java.nio's two exceptions (see PathPresence). A record removed after this check is still a miss.
        if (!PathPresence.mayExist(file)) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SnapshotException("cannot read snapshot metadata " + file + " (" + e.getMessage()
                    + "); check the store's permissions and disk, or delete the file to forget the snapshot", e);
        }
        String reason;
        if (bytes.length == 0) {
            // An unsynced active record cut by a power loss (see put): the snapshot is gone with its step.
            reason = "the file is empty";
        } else {
            try {
                SnapshotRecord record = decode(bytes);
                if (file.getFileName().toString().equals(fileNameOf(record.name()))) {
                    return Optional.of(record);
                }
                reason = "it holds the record of " + record.name();
            } catch (JsonProcessingException e) {
                reason = e.getOriginalMessage(); // without Jackson's multi-line source location
            } catch (IOException e) {
                reason = e.getMessage();
            }
        }
        if (damagedFiles != null) {
            damagedFiles.add(file);
        }
        damaged.accept(new Damaged(file, reason));
        return Optional.empty();
    }

    void put(SnapshotRecord record) throws SnapshotException {
        try {
            if (record.kind() != SnapshotKind.COMMITTED) {
                // Active snapshots and views live for one step: a rename without fsync is atomic against a kill
                // of wharf; after a power loss the record may be empty, which get() reads as no record, and the
                // orphan sweep removes its directory. Committed snapshots are synced in full.
                AtomicFiles.replaceUnsynced(fileOf(record.name()), encode(record), staging);
                return;
            }
            AtomicFiles.replace(fileOf(record.name()), encode(record), staging);
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

    /** Every record, skipping (and reporting) damaged ones; files of other names are not records and are skipped. */
    Listing all() throws SnapshotException {
        List<SnapshotRecord> records = new ArrayList<>();
        List<Path> damagedFiles = new ArrayList<>();
        // No glob: the directory stream would match every name against a regular expression, which in a fresh JVM
        // cost as much as reading the record. A file's name is the hex of its record's name (checked by read).
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (isRecordName(file.getFileName().toString())) {
                    read(file, damagedFiles).ifPresent(records::add);
                }
            }
        } catch (IOException e) {
            throw new SnapshotException("cannot list snapshot metadata in " + dir + ": " + e.getMessage(), e);
        }
        return new Listing(records, damagedFiles);
    }

    static byte[] encode(SnapshotRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("name", record.name());
            gen.writeStringField("kind", record.kind().name());
            gen.writeStringField("parent", record.parent());
            gen.writeNumberField("id", record.id());
            gen.writeEndObject();
        }
        return out.toByteArray();
    }

    static SnapshotRecord decode(byte[] bytes) throws IOException {
        String name = null;
        String parent = null;
        SnapshotKind kind = null;
        long id = -1;
        try (JsonParser parser = JSON.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a snapshot record is a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "name" -> name = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                    case "parent" -> parent = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                    case "kind" -> kind = parseKind(value == JsonToken.VALUE_STRING ? parser.getText() : null);
                    case "id" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new IOException("\"id\" is not an integer");
                        }
                        id = parser.getLongValue();
                    }
                    default -> parser.skipChildren(); // a field of a later version
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new IOException("trailing or malformed content after the record");
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (name == null || kind == null || id < 0) {
            throw new IOException("the record lacks its name, kind or id");
        }
        return new SnapshotRecord(name, kind, parent, id);
    }

    private static SnapshotKind parseKind(String text) throws IOException {
        try {
            return SnapshotKind.valueOf(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new IOException("unknown snapshot kind " + text, e);
        }
    }

    private Path fileOf(String name) {
        return dir.resolve(fileNameOf(name));
    }

    /** Whether a file name is one {@link #fileOf} gives: lower-case hex digits and the suffix. */
    private static boolean isRecordName(String fileName) {
        int end = fileName.length() - SUFFIX.length();
        if (end <= 0 || !fileName.endsWith(SUFFIX)) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = fileName.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static String fileNameOf(String name) {
        return HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8)) + SUFFIX;
    }
}
