package dev.wharf.cache;

import dev.wharf.layers.layout.StoreLock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads the record files of a {@link FileCacheStore} through a bounded cache of parsed records (least recently used
 * evicted first), and drops corrupt ones.
 *
 * <p>Thread-safe. A cached record is served only while its file still exists with the same file key (inode) and
 * size, so a record another process pruned or replaced is not served stale. A corrupt record file is deleted under
 * the {@link CacheLock} after checking that it still holds the same bytes (a concurrent save may just have replaced
 * it), and reported as a {@link CacheWarning}. Records of a newer format are skipped and left alone.
 */
final class RecordReader {
    private final CacheFiles files;
    private final CacheLock lock;
    private final CacheWarnings warnings;
    private final RecordCodec codec;
    private final ConfigBlobs configs;
    /**
     * Parsed records by key, least recently used first; guarded by itself. A synchronized map rather than Caffeine:
     * each lookup stats and often reads a file, next to which the lock costs nothing, while Caffeine's class
     * initialisation and generated cache classes (method handles spun at first use) took about 20 ms of CPU in every
     * fresh CLI process.
     */
    private final Map<CacheKey, Loaded> parsed;

    /** A parsed record and the identity of the file it came from, to detect a file replaced behind our back. */
    private record Loaded(CacheRecord record, Object fileKey, long size) {
        boolean matches(BasicFileAttributes attrs) {
            return fileKey != null && fileKey.equals(attrs.fileKey()) && size == attrs.size();
        }
    }

    RecordReader(CacheFiles files, CacheLock lock, CacheStoreOptions options, RecordCodec codec, ConfigBlobs configs) {
        this.files = files;
        this.configs = configs;
        this.lock = lock;
        this.warnings = options.warnings();
        this.codec = codec;
        long max = options.maxCachedRecords();
        this.parsed = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<CacheKey, Loaded> eldest) {
                return size() > max;
            }
        };
    }

    private Loaded cached(CacheKey key) {
        synchronized (parsed) {
            return parsed.get(key);
        }
    }

    private void keep(CacheKey key, Loaded loaded) {
        synchronized (parsed) {
            parsed.put(key, loaded);
        }
    }

    /** Remembers a record just written to its file, so the next lookup need not parse it. */
    void remember(CacheRecord record) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(files.record(record.key()), BasicFileAttributes.class);
        keep(record.key(), new Loaded(record, attrs.fileKey(), attrs.size()));
    }

    /** Forgets a record whose file is gone. */
    void forget(CacheKey key) {
        synchronized (parsed) {
            parsed.remove(key);
        }
    }

    /**
     * Reads one record without marking it used; its last-used time is the file's modification time.
     *
     * @param lockHeld whether the caller holds the {@link CacheLock} (needed to drop a corrupt file)
     * @return the record, or empty if it is missing, corrupt (then dropped) or of a newer format
     */
    Optional<CacheRecord> load(CacheKey key, boolean lockHeld) throws CacheException {
        Path file = files.record(key);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            forget(key);
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        Loaded cached = cached(key);
        if (cached != null && cached.matches(attrs)) {
            return Optional.of(cached.record().withLastUsed(attrs.lastModifiedTime().toInstant()));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            forget(key);
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        try {
            CacheRecord record = codec.read(bytes, key, attrs.lastModifiedTime().toInstant(), configs);
            configPresent(record);
            keep(key, new Loaded(record, attrs.fileKey(), attrs.size()));
            return Optional.of(record);
        } catch (RecordCodec.NewerFormatException e) {
            return Optional.empty();
        } catch (RecordCodec.CorruptRecordException e) {
            forget(key);
            if (lockHeld) {
                dropIfUnchanged(file, bytes, e.getMessage());
            } else {
                try (StoreLock.Held held = lock.acquire()) {
                    dropIfUnchanged(file, bytes, e.getMessage());
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Checks that the config a record names is there, so a hit whose cache is exported later does not fail then: one
     * stat, the config itself is read only when asked for. Older records hold their config and need no check.
     */
    private void configPresent(CacheRecord record) throws RecordCodec.CorruptRecordException, CacheException {
        StepResult result = record.result();
        if (!result.isStored()) {
            return;
        }
        Path config = configs.path(result.configDigest());
        try {
            if (!configs.present(result.configDigest(), result.configSize())) {
                throw new RecordCodec.CorruptRecordException("its image config " + config
                        + " is missing or of another size");
            }
        } catch (IOException e) {
            throw unreadable(config, e);
        }
    }

    /** Reads every record; those missing, corrupt or of a newer format are left out. */
    List<CacheRecord> loadAll(boolean lockHeld) throws CacheException {
        List<CacheRecord> records = new ArrayList<>();
        for (CacheKey key : keysIn(files.recordsDir(), true)) {
            load(key, lockHeld).ifPresent(records::add);
        }
        return records;
    }

    /** Reads the records an identity's markers name; those missing, corrupt or of a newer format are left out. */
    List<CacheRecord> loadIdentity(StepIdentity identity) throws CacheException {
        List<CacheRecord> records = new ArrayList<>();
        for (CacheKey key : keysIn(files.identityDir(identity), false)) {
            load(key, false).ifPresent(records::add);
        }
        return records;
    }

    /** Lists the keys named by the files of a directory (record files or identity markers), sorted. */
    static List<CacheKey> keysIn(Path dir, boolean recordFiles) throws CacheException {
        TreeSet<CacheKey> keys = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                boolean isRecord = entry.getFileName().toString().endsWith(CacheFiles.RECORD_SUFFIX);
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

    static CacheException unreadable(Path path, IOException e) {
        return new CacheException("cannot read the build cache at " + path + ": " + e + "; check its permissions",
                e);
    }
}
