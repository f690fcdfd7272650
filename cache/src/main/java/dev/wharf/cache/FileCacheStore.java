package dev.wharf.cache;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.StoreLock;
import dev.wharf.layers.posix.PathPresence;
import dev.wharf.layers.store.StoreProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The persistent {@link CacheStore}: one small JSON file per record under a directory, the image configs they name
 * as content-addressed files beside them ({@link ConfigBlobs}), an index of keys by step identity, and a bounded
 * cache of parsed records in front. Layout in {@link CacheFiles}, file format in {@link RecordCodec}, reading in
 * {@link RecordReader}.
 *
 * <p>Thread-safe, and safe for several processes (JVMs) sharing one directory:
 * <ul>
 *   <li>A record is written to {@code tmp/}, fsynced and renamed over {@code records/<key>.json} (then the directory
 *       is fsynced), so a crash leaves the old file or the new one, never a torn one. Saves and prunes hold the
 *       directory's {@link CacheLock}; lookups and explanations take no lock. The record's config is written the same
 *       way first, so a record never names a config a crash lost; a prune removes the configs no record names.</li>
 *   <li>The last-used time is the record file's modification time, set from the injected clock on every hit: one
 *       metadata update, no rewrite, no lock. A prune in another process that read the old time may still remove
 *       a record used a moment ago; that only costs a rebuild.</li>
 *   <li>The in-memory cache is checked against the file on every lookup (same file key and size), so a record
 *       another process pruned or replaced is not served stale. An inode reused by a replacement of the same size
 *       could still serve the previous result; callers verify layer blobs on a hit anyway (see
 *       {@link CacheStore}).</li>
 *   <li><b>Corrupt records are removed, not reported as errors.</b> A record file that is not valid JSON, lacks a
 *       field, whose stored key disagrees with its name or inputs, or whose config is gone is deleted and reported as a
 *       {@link CacheWarning} naming the file; the lookup is a miss and the step is rebuilt. The cache is derived
 *       data and rebuilding is always correct, while failing the build would make the user delete the file by
 *       hand for no gain. Since writes are atomic, corruption means damage from outside (disk, manual edits). A
 *       record written by a newer wharf (higher format version) is skipped and left alone.</li>
 *   <li>Temp files older than {@link #ABANDONED_TEMP_AGE} (a process died mid-write) are swept when a store is
 *       opened; identity markers whose record is gone are swept by {@link #prune}.</li>
 * </ul>
 */
public final class FileCacheStore implements CacheStore {
    /** Temp files older than this are considered abandoned by a crashed writer and removed at open. */
    public static final Duration ABANDONED_TEMP_AGE = Duration.ofHours(1);

    private final CacheFiles files;
    private final Clock clock;
    private final CacheLock lock;
    private final RecordCodec codec = new RecordCodec();
    private final ConfigBlobs configs;
    private final RecordReader reader;

    private FileCacheStore(CacheFiles files, CacheStoreOptions options) {
        this.files = files;
        this.clock = options.clock();
        this.lock = new CacheLock(files.lockFile());
        this.configs = new ConfigBlobs(files.configsDir(), files.tmpDir());
        this.reader = new RecordReader(files, lock, options, codec, configs);
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
            Files.createDirectories(files.configsDir());
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
        Optional<CacheRecord> found = reader.load(key, false);
        if (found.isEmpty()) {
            return found;
        }
        Path file = files.record(key);
        Instant now = clock.instant();
        try {
            Files.setLastModifiedTime(file, FileTime.from(now));
        } catch (NoSuchFileException e) {
            reader.forget(key); // pruned by another process since we read it
            return Optional.empty();
        } catch (IOException e) {
            throw new CacheException("cannot mark cache record " + file + " as used: " + e
                    + "; check that the build cache directory is writable", e);
        }
        return Optional.of(found.get().withLastUsed(now));
    }

    @Override
    public CacheRecord save(CacheKeyInputs inputs, StepResult result) throws CacheException {
        return write(CacheRecord.create(inputs, result, clock.instant()));
    }

    @Override
    public CacheRecord importRecord(CacheRecord record) throws CacheException {
        return write(record.withLastUsed(clock.instant()));
    }

    private CacheRecord write(CacheRecord record) throws CacheException {
        CacheKeyInputs inputs = record.inputs();
        byte[] bytes = codec.write(record);
        Path file = files.record(record.key());
        try (StoreLock.Held held = lock.acquire()) {
            // The config before the record naming it, both durable: a crash never leaves a record without its
            // config (a config without a record is swept by the next prune).
            StepResult result = record.result();
            if (!configs.present(result.configDigest(), result.configSize())) {
                configs.put(result.configDigest(), result.config().getBytes(StandardCharsets.UTF_8));
            }
            AtomicFiles.replace(file, bytes, files.tmpDir());
            Files.setLastModifiedTime(file, FileTime.from(record.lastUsed()));
            // The marker comes after the record: a marker is only ever a hint, a record never lacks one for long.
            Path marker = files.identityMarker(inputs.identity(), record.key());
            // Usually the marker is there already (a rebuild of a step saved before) or its directory is (another
            // key of the same identity): java.nio's createDirectories and createFile answer those with exceptions,
            // two per RUN step, so ask first (see PathPresence) and create only what is surely missing.
            if (!PathPresence.surelyExists(marker)) {
                if (!PathPresence.surelyExists(marker.getParent())) {
                    Files.createDirectories(marker.getParent());
                }
                try {
                    Files.createFile(marker);
                } catch (FileAlreadyExistsException e) {
                    // Saved before under this identity.
                }
            }
            reader.remember(record);
            return record;
        } catch (IOException e) {
            throw new CacheException("cannot write cache record " + file + ": " + e
                    + "; check free space and permissions of the build cache directory", e);
        }
    }

    @Override
    public MissExplanation explainMiss(CacheKeyInputs inputs) throws CacheException {
        return MissExplainer.explain(inputs, reader.load(inputs.key(), false), reader.loadIdentity(inputs.identity()));
    }

    @Override
    public PruneResult prune(PruneOptions options) throws CacheException {
        Objects.requireNonNull(options, "options");
        try (StoreLock.Held held = lock.acquire()) {
            List<CacheRecord> records = reader.loadAll(true);
            PruneResult result = PrunePlanner.plan(records, options, clock.instant());
            Set<CacheKey> removed = Set.copyOf(result.removed());
            for (CacheRecord record : records) {
                if (removed.contains(record.key())) {
                    // Record first, then its marker: a marker without a record is harmless and swept below.
                    delete(files.record(record.key()));
                    reader.forget(record.key());
                    delete(files.identityMarker(record.inputs().identity(), record.key()));
                }
            }
            sweepMarkers();
            sweepConfigs(records, removed);
            return result;
        }
    }

    /**
     * Removes the configs no remaining record names. Lock held, so no save is between writing a config and its
     * record. Skipped while a record file could not be read (one of a newer wharf, which may name configs too).
     */
    private void sweepConfigs(List<CacheRecord> records, Set<CacheKey> removed) throws CacheException {
        Set<Digest> referenced = new HashSet<>();
        int remaining = 0;
        for (CacheRecord record : records) {
            if (!removed.contains(record.key())) {
                remaining++;
                // Every record, also one served from memory as saved (its config text at hand) or of version 1
                // (config inline, naming no file: keeping a file of that digest costs nothing).
                referenced.add(record.result().configDigest());
            }
        }
        if (RecordReader.keysIn(files.recordsDir(), true).size() != remaining) {
            return;
        }
        try {
            configs.sweep(referenced);
        } catch (IOException e) {
            throw new CacheException("cannot clean the build cache's configs " + files.configsDir() + ": " + e
                    + "; check its permissions", e);
        }
    }

    @Override
    public Set<Descriptor> referencedBlobs() throws CacheException {
        TreeSet<Descriptor> blobs = new TreeSet<>(Comparator.comparing(Descriptor::digest));
        for (CacheRecord record : reader.loadAll(false)) {
            for (LayerBlob layer : record.result().layers()) {
                blobs.add(layer.descriptor());
            }
        }
        return Set.copyOf(blobs);
    }

    /**
     * Checks the cache against a blob store ({@code wharf doctor}): a record whose layers the store lacks is
     * dangling (a hit would have to rebuild anyway); with repair on, it is deleted. Corrupt record files are deleted
     * by every read, as for lookups. Temp files are checked by {@link #checkTemp}.
     *
     * @throws CacheException if the cache cannot be read or changed
     */
    public List<StoreProblem> check(BlobProvider blobs, boolean repair) throws CacheException {
        List<StoreProblem> problems = new ArrayList<>();
        try (StoreLock.Held held = lock.acquire()) {
            for (CacheRecord record : reader.loadAll(true)) {
                List<String> missing = new ArrayList<>();
                for (LayerBlob layer : record.result().layers()) {
                    if (!blobs.exists(layer.descriptor().digest())) {
                        missing.add(layer.descriptor().digest().toString());
                    }
                }
                if (missing.isEmpty()) {
                    continue;
                }
                StoreProblem problem = new StoreProblem(StoreProblem.Kind.DANGLING_CACHE_RECORD,
                        files.record(record.key()).toString(), "the step " + record.inputs().identity().selector()
                                + " needs missing layers " + String.join(", ", missing), false);
                if (repair) {
                    delete(files.record(record.key()));
                    reader.forget(record.key());
                    problem = problem.asRepaired();
                }
                problems.add(problem);
            }
            if (repair) {
                sweepMarkers();
                sweepConfigs(reader.loadAll(true), Set.of());
            }
        } catch (LayerException e) {
            throw new CacheException("cannot check the build cache " + files.root() + " against the store: "
                    + e.getMessage(), e);
        }
        return List.copyOf(problems);
    }

    /**
     * Finds (and with repair on, deletes) the temp files last written before {@code stagedBefore}: what writers
     * killed mid-write left. Cheap; run by the next wharf command when no other one is alive.
     */
    public List<StoreProblem> checkTemp(boolean repair, Instant stagedBefore) throws CacheException {
        List<StoreProblem> problems = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(files.tmpDir())) {
            for (Path entry : entries) {
                try {
                    if (!Files.getLastModifiedTime(entry).toInstant().isBefore(stagedBefore)) {
                        continue;
                    }
                    StoreProblem problem = new StoreProblem(StoreProblem.Kind.STRAY_TEMP_FILE, entry.toString(),
                            "temp file of an interrupted cache write", false);
                    problems.add(repair && Files.deleteIfExists(entry) ? problem.asRepaired() : problem);
                } catch (NoSuchFileException e) {
                    // Renamed into place meanwhile.
                }
            }
        } catch (IOException e) {
            throw new CacheException("cannot check the build cache's temp directory " + files.tmpDir() + ": " + e
                    + "; check its permissions", e);
        }
        return List.copyOf(problems);
    }

    /** Removes identity markers whose record is gone and identity directories left empty. Lock held. */
    private void sweepMarkers() throws CacheException {
        try (DirectoryStream<Path> identities = Files.newDirectoryStream(files.identitiesDir())) {
            for (Path identity : identities) {
                for (CacheKey key : RecordReader.keysIn(identity, false)) {
                    if (!Files.exists(files.record(key))) {
                        delete(identity.resolve(key.hex()));
                    }
                }
                try {
                    Files.deleteIfExists(identity);
                } catch (DirectoryNotEmptyException e) {
                    // Still has markers.
                }
            }
        } catch (IOException e) {
            throw new CacheException("cannot clean the build cache index " + files.identitiesDir() + ": " + e
                    + "; check its permissions", e);
        }
    }

    /** Removes temp files a crashed writer left behind; recent ones may belong to a live writer in another JVM. */
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
}
