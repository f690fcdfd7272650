package dev.wharf.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.StoreLock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The persistent {@link CacheStore}: one small JSON file per record under a directory, an index of keys by step
 * identity, and a bounded Caffeine cache of parsed records in front. Layout in {@link CacheFiles}, file format in
 * {@link RecordCodec}.
 *
 * <p>Thread-safe, and safe for several processes (JVMs) sharing one directory:
 * <ul>
 *   <li>A record is written to {@code tmp/}, fsynced and renamed over {@code records/<key>.json} (then the directory
 *       is fsynced), so a crash leaves the old file or the new one, never a torn one. Saves and prunes hold the
 *       directory's lock ({@code cache.lock}, a {@link StoreLock}); lookups take no lock.</li>
 *   <li>Last-used time is the record file's modification time, set from the injected clock on every hit: one
 *       metadata update, no rewrite, no lock.</li>
 *   <li>The in-memory cache is checked against the file on every lookup (it must exist, with the same file key
 *       and size), so a record another process pruned or replaced is not served stale. An inode reused by a
 *       replacement of the same size can still serve the previous result once; callers verify layer blobs on a
 *       hit anyway (see {@link CacheStore}).</li>
 *   <li><b>Corrupt records are removed, not reported as errors.</b> A record file that is not valid JSON, lacks a
 *       field, or whose stored key disagrees with its name or inputs is deleted (under the lock, after re-reading
 *       it) and reported as a {@link CacheWarning} naming the file; the lookup is a miss and the step is rebuilt.
 *       The cache is derived data and rebuilding is always correct, while failing the build would make the user
 *       delete the file by hand for no gain. A record written by a newer wharf (higher format version) is skipped
 *       and left alone.</li>
 *   <li>Temp files older than {@link #ABANDONED_TEMP_AGE} (a process died mid-write) are swept when a store is
 *       opened.</li>
 * </ul>
 */
public final class FileCacheStore implements CacheStore {
    /** Temp files older than this are considered abandoned by a crashed writer and removed at open. */
    public static final Duration ABANDONED_TEMP_AGE = Duration.ofHours(1);

    private final CacheFiles files;
    private final Clock clock;
    private final CacheWarnings warnings;
    private final StoreLock lock;
    private final RecordCodec codec = new RecordCodec();
    private final Cache<CacheKey, Loaded> parsed;

    /** A parsed record and the identity of the file it came from, to detect a file replaced behind our back. */
    private record Loaded(CacheRecord record, Object fileKey, long size) {
        boolean matches(BasicFileAttributes attrs) {
            return fileKey != null && fileKey.equals(attrs.fileKey()) && size == attrs.size();
        }
    }

    private FileCacheStore(CacheFiles files, CacheStoreOptions options) {
        this.files = files;
        this.clock = options.clock();
        this.warnings = options.warnings();
        this.lock = new StoreLock(files.lockFile());
        this.parsed = Caffeine.newBuilder().maximumSize(options.maxCachedRecords()).build();
    }

    /**
     * Opens (creating if needed) the cache under {@code root} and sweeps abandoned temp files.
     *
     * @throws CacheException if the directory cannot be created or read
     */
    public static FileCacheStore open(Path root, CacheStoreOptions options) throws CacheException {
        Objects.requireNonNull(options, "options");
        CacheFiles files = new CacheFiles(root);
        try {
            Files.createDirectories(files.recordsDir());
            Files.createDirectories(files.identitiesDir());
            Files.createDirectories(files.tmpDir());
        } catch (IOException e) {
            throw new CacheException("cannot create the build cache directory " + files.root() + ": " + e
                    + "; check that its parent exists and is writable, or choose another --root", e);
        }
        FileCacheStore store = new FileCacheStore(files, options);
        store.sweepTemp();
        return store;
    }

    /** Returns the cache directory. */
    public Path root() {
        return files.root();
    }

    @Override
    public Optional<CacheRecord> lookup(CacheKey key) throws CacheException {
        Objects.requireNonNull(key, "key");
        Path file = files.record(key);
        Optional<CacheRecord> found = load(key, false);
        if (found.isEmpty()) {
            return found;
        }
        Instant now = clock.instant();
        try {
            Files.setLastModifiedTime(file, FileTime.from(now));
        } catch (NoSuchFileException e) {
            parsed.invalidate(key); // pruned by another process since we read it
            return Optional.empty();
        } catch (IOException e) {
            throw new CacheException("cannot mark cache record " + file + " as used: " + e
                    + "; check that the build cache directory is writable", e);
        }
        return Optional.of(found.get().withLastUsed(now));
    }

    @Override
    public CacheRecord save(CacheKeyInputs inputs, StepResult result) throws CacheException {
        CacheRecord record = CacheRecord.create(inputs, result, clock.instant());
        byte[] bytes = codec.write(record);
        Path file = files.record(record.key());
        try (StoreLock.Held held = acquire()) {
            AtomicFiles.replace(file, bytes, files.tmpDir());
            Files.setLastModifiedTime(file, FileTime.from(record.lastUsed()));
            Path marker = files.identityMarker(inputs.identity(), record.key());
            Files.createDirectories(marker.getParent());
            try {
                Files.createFile(marker);
            } catch (FileAlreadyExistsException e) {
                // Saved before under this identity: the marker is already there.
            }
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            parsed.put(record.key(), new Loaded(record, attrs.fileKey(), attrs.size()));
            return record;
        } catch (IOException e) {
            throw new CacheException("cannot write cache record " + file + ": " + e
                    + "; check free space and permissions of the build cache directory", e);
        }
    }

    @Override
    public MissExplanation explainMiss(CacheKeyInputs inputs) throws CacheException {
        CacheKey key = inputs.key();
        Optional<CacheRecord> exact = load(key, false);
        List<CacheRecord> sameIdentity = new ArrayList<>();
        for (CacheKey candidate : keysIn(files.identityDir(inputs.identity()), false)) {
            load(candidate, false).ifPresent(sameIdentity::add);
        }
        return MissExplainer.explain(inputs, exact, sameIdentity);
    }

    @Override
    public PruneResult prune(PruneOptions options) throws CacheException {
        Objects.requireNonNull(options, "options");
        try (StoreLock.Held held = acquire()) {
            List<CacheRecord> records = loadAll(true);
            PruneResult result = PrunePlanner.plan(records, options, clock.instant());
            Set<CacheKey> removed = Set.copyOf(result.removed());
            for (CacheRecord record : records) {
                if (removed.contains(record.key())) {
                    // Record first, then its marker: a marker without a record is harmless and swept below.
                    delete(files.record(record.key()));
                    parsed.invalidate(record.key());
                    delete(files.identityMarker(record.inputs().identity(), record.key()));
                }
            }
            sweepMarkers();
            return result;
        }
    }

    @Override
    public Set<Descriptor> referencedBlobs() throws CacheException {
        TreeSet<Descriptor> blobs = new TreeSet<>(Comparator.comparing(Descriptor::digest));
        for (CacheRecord record : loadAll(false)) {
            for (LayerBlob layer : record.result().layers()) {
                blobs.add(layer.descriptor());
            }
        }
        return Set.copyOf(blobs);
    }

    /** Reads one record (through the in-memory cache) without marking it used; empty if missing or dropped. */
    private Optional<CacheRecord> load(CacheKey key, boolean lockHeld) throws CacheException {
        Path file = files.record(key);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            parsed.invalidate(key);
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        Loaded cached = parsed.getIfPresent(key);
        if (cached != null && cached.matches(attrs)) {
            return Optional.of(cached.record().withLastUsed(attrs.lastModifiedTime().toInstant()));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            parsed.invalidate(key);
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        try {
            CacheRecord record = codec.read(bytes, key, attrs.lastModifiedTime().toInstant());
            parsed.put(key, new Loaded(record, attrs.fileKey(), attrs.size()));
            return Optional.of(record);
        } catch (RecordCodec.NewerFormatException e) {
            return Optional.empty();
        } catch (RecordCodec.CorruptRecordException e) {
            parsed.invalidate(key);
            dropCorrupt(file, bytes, e.getMessage(), lockHeld);
            return Optional.empty();
        }
    }

    /**
     * Deletes a corrupt record file if it still holds the same bytes once the lock is held (a concurrent save may
     * have just replaced it with a good one), and reports it.
     */
    private void dropCorrupt(Path file, byte[] corrupt, String why, boolean lockHeld) throws CacheException {
        if (lockHeld) {
            dropIfUnchanged(file, corrupt, why);
        } else {
            try (StoreLock.Held held = acquire()) {
                dropIfUnchanged(file, corrupt, why);
            }
        }
    }

    private void dropIfUnchanged(Path file, byte[] corrupt, String why) throws CacheException {
        try {
            if (Arrays.equals(Files.readAllBytes(file), corrupt)) {
                Files.deleteIfExists(file);
                warnings.warn(new CacheWarning(file, "removed corrupt build cache record " + file + ": " + why
                        + "; the step will be rebuilt"));
            }
        } catch (NoSuchFileException e) {
            // Already gone: another process dropped or pruned it.
        } catch (IOException e) {
            throw new CacheException("cannot remove corrupt build cache record " + file + " (" + why + "): " + e
                    + "; delete the file by hand", e);
        }
    }

    /** Reads every record; records that are missing, corrupt or of a newer format are left out. */
    private List<CacheRecord> loadAll(boolean lockHeld) throws CacheException {
        List<CacheRecord> records = new ArrayList<>();
        for (CacheKey key : keysIn(files.recordsDir(), true)) {
            load(key, lockHeld).ifPresent(records::add);
        }
        return records;
    }

    /** Lists the keys named by the files of a directory (record files or identity markers), sorted. */
    private static List<CacheKey> keysIn(Path dir, boolean recordFiles) throws CacheException {
        TreeSet<CacheKey> keys = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                boolean isRecord = entry.getFileName().toString().endsWith(".json");
                if (isRecord == recordFiles) {
                    CacheFiles.keyOf(entry).ifPresent(keys::add);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw unreadable(dir, e);
        }
        return List.copyOf(keys);
    }

    /** Removes identity markers whose record is gone and identity directories left empty. Lock held. */
    private void sweepMarkers() throws CacheException {
        try (DirectoryStream<Path> identities = Files.newDirectoryStream(files.identitiesDir())) {
            for (Path identity : identities) {
                for (CacheKey key : keysIn(identity, false)) {
                    if (!Files.exists(files.record(key))) {
                        delete(identity.resolve(key.hex()));
                    }
                }
                try {
                    Files.deleteIfExists(identity);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // Still has markers.
                }
            }
        } catch (IOException e) {
            throw new CacheException("cannot clean the build cache index " + files.identitiesDir() + ": " + e, e);
        }
    }

    private void sweepTemp() throws CacheException {
        Instant cutoff = clock.instant().minus(ABANDONED_TEMP_AGE);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(files.tmpDir())) {
            for (Path entry : entries) {
                try {
                    if (Files.getLastModifiedTime(entry).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(entry);
                    }
                } catch (NoSuchFileException e) {
                    // Renamed into place or swept by another process meanwhile.
                }
            }
        } catch (IOException e) {
            throw new CacheException("cannot clean the build cache's temp directory " + files.tmpDir() + ": " + e
                    + "; check its permissions", e);
        }
    }

    private static void delete(Path file) throws CacheException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new CacheException("cannot delete " + file + ": " + e
                    + "; check the permissions of the build cache directory", e);
        }
    }

    private StoreLock.Held acquire() throws CacheException {
        try {
            return lock.acquire();
        } catch (LayerException e) {
            throw new CacheException(e.getMessage(), e);
        }
    }

    private static CacheException unreadable(Path path, IOException e) {
        return new CacheException("cannot read the build cache at " + path + ": " + e
                + "; check its permissions", e);
    }
}
