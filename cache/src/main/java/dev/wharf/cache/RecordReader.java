package dev.wharf.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.layers.layout.StoreLock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads the record files of a {@link FileCacheStore} through a bounded Caffeine cache of parsed records, and drops
 * corrupt ones.
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
    private final long maxCachedRecords;
    /** Made at the first record read or write ({@link #parsed()}). */
    private volatile Cache<CacheKey, Loaded> parsed;

    /** A parsed record and the identity of the file it came from, to detect a file replaced behind our back. */
    private record Loaded(CacheRecord record, Object fileKey, long size) {
        boolean matches(BasicFileAttributes attrs) {
            return fileKey != null && fileKey.equals(attrs.fileKey()) && size == attrs.size();
        }
    }

    RecordReader(CacheFiles files, CacheLock lock, CacheStoreOptions options, RecordCodec codec) {
        this.files = files;
        this.lock = lock;
        this.warnings = options.warnings();
        this.codec = codec;
        this.maxCachedRecords = options.maxCachedRecords();
    }

    /**
     * The cache of parsed records, made on first use: in a fresh JVM the first Caffeine cache costs tens of
     * milliseconds (its classes' VarHandles, string-concatenation call sites and System.Logger, which starts
     * java.util.logging), and commands that open the store without reading a step record ({@code wharf pull},
     * {@code push}, {@code images}) should not pay for it.
     */
    private Cache<CacheKey, Loaded> parsed() {
        Cache<CacheKey, Loaded> cache = parsed;
        if (cache == null) {
            synchronized (this) {
                cache = parsed;
                if (cache == null) {
                    cache = Caffeine.newBuilder().maximumSize(maxCachedRecords).build();
                    parsed = cache;
                }
            }
        }
        return cache;
    }

    /** Remembers a record just written to its file, so the next lookup need not parse it. */
    void remember(CacheRecord record) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(files.record(record.key()), BasicFileAttributes.class);
        parsed().put(record.key(), new Loaded(record, attrs.fileKey(), attrs.size()));
    }

    /** Forgets a record whose file is gone. */
    void forget(CacheKey key) {
        parsed().invalidate(key);
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
            parsed().invalidate(key);
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        Loaded cached = parsed().getIfPresent(key);
        if (cached != null && cached.matches(attrs)) {
            return Optional.of(cached.record().withLastUsed(attrs.lastModifiedTime().toInstant()));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            parsed().invalidate(key);
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        try {
            CacheRecord record = codec.read(bytes, key, attrs.lastModifiedTime().toInstant());
            parsed().put(key, new Loaded(record, attrs.fileKey(), attrs.size()));
            return Optional.of(record);
        } catch (RecordCodec.NewerFormatException e) {
            return Optional.empty();
        } catch (RecordCodec.CorruptRecordException e) {
            parsed().invalidate(key);
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
