package dev.wharf.context.checksum;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.context.ContextException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * File digests by {@link FileKey}, held in Caffeine and persisted in one file so that a fresh process does not
 * read unchanged files again; the entries read from the file stay in a read-only map behind Caffeine. Thread-safe.
 *
 * <p>The file ({@value #FILE_NAME}) is written as a transaction: a temp file in the same directory, fsync, atomic
 * rename, fsync of the directory. It ends with a CRC32C of everything before it; a file that is truncated, has a
 * bad checksum or an unknown version is ignored (the cache starts empty), never trusted.
 */
public final class ChecksumCache {

    static final String FILE_NAME = "context-checksums.bin";
    private static final int MAGIC = 0x57434B31; // "WCK1"
    private static final int ENTRY_BYTES = 8 * 5 + 1 + 32;

    private final Optional<Path> directory;
    private final long maximumSize;
    private final Cache<FileKey, Digest> cache;
    /**
     * The entries loaded from disk, read-only after loading: consulted when the Caffeine cache misses and written
     * back by {@link #persist()} (up to the maximum size, the newer Caffeine entries first). Loading them into a
     * plain map instead of putting each into Caffeine cuts a fresh process's load time several times over.
     */
    private volatile Map<FileKey, Digest> loaded = Map.of();
    /** Whether entries were added since the file was loaded or written: {@link #persist} writes only then. */
    private final java.util.concurrent.atomic.AtomicBoolean dirty = new java.util.concurrent.atomic.AtomicBoolean();

    private ChecksumCache(Optional<Path> directory, long maximumSize) {
        this.directory = directory;
        this.maximumSize = maximumSize;
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).build();
    }

    /** A cache that lives only in memory. */
    public static ChecksumCache inMemory(long maximumSize) {
        return new ChecksumCache(Optional.empty(), maximumSize);
    }

    /**
     * A cache persisted under {@code directory}, loaded now if a valid file is there.
     *
     * @throws ContextException when the directory cannot be created or read
     */
    public static ChecksumCache persistent(Path directory, long maximumSize) throws ContextException {
        ChecksumCache c = new ChecksumCache(Optional.of(directory), maximumSize);
        try {
            Files.createDirectories(directory);
            sweepTemps(directory);
            c.load(directory.resolve(FILE_NAME));
        } catch (IOException e) {
            throw new ContextException("cannot use checksum cache directory " + directory + ": " + e.getMessage()
                    + " (check its permissions or delete it)", e);
        }
        return c;
    }

    Optional<Digest> get(FileKey key) {
        Digest d = cache.getIfPresent(key);
        return Optional.ofNullable(d != null ? d : loaded.get(key));
    }

    void put(FileKey key, Digest digest) {
        Digest previous = cache.asMap().put(key, digest);
        if (previous == null) {
            previous = loaded.get(key);
        }
        if (!digest.equals(previous)) {
            dirty.set(true);
        }
    }

    /** Number of entries held now. */
    public long size() {
        cache.cleanUp();
        return all().size();
    }

    /** The Caffeine entries, then the loaded ones that Caffeine does not override, up to the maximum size. */
    private Map<FileKey, Digest> all() {
        Map<FileKey, Digest> out = new java.util.LinkedHashMap<>(cache.asMap());
        for (Map.Entry<FileKey, Digest> e : loaded.entrySet()) {
            if (out.size() >= maximumSize) {
                break;
            }
            out.putIfAbsent(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * Writes the entries to disk (no-op for an in-memory cache, and when no entry was added since the last load or
     * write).
     *
     * @throws ContextException when the file cannot be written; the previous file then stays intact
     */
    public void persist() throws ContextException {
        // Nothing new (a cached rebuild): no rewrite and no fsync.
        if (directory.isEmpty() || !dirty.getAndSet(false)) {
            return;
        }
        Path dir = directory.get();
        Path target = dir.resolve(FILE_NAME);
        Path temp = null;
        try {
            byte[] body = encode(all());
            temp = Files.createTempFile(dir, FILE_NAME, ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(body);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            temp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // make the rename itself durable
            } catch (IOException ignored) {
                // Some file systems cannot open or sync directories; the rename is still atomic.
            }
        } catch (IOException e) {
            dirty.set(true);
            throw new ContextException("cannot write checksum cache " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort; the next start sweeps it
                }
            }
        }
    }

    /** The file's bytes: magic, count, fixed-size entries, CRC32C of all before it; one buffer, no streams. */
    private static byte[] encode(Map<FileKey, Digest> entries) {
        // The map is live: size it from a copy so a concurrent put cannot overflow the buffer.
        java.util.List<Map.Entry<FileKey, Digest>> list = new java.util.ArrayList<>(entries.entrySet());
        ByteBuffer out = ByteBuffer.allocate(12 + list.size() * ENTRY_BYTES);
        out.putInt(MAGIC);
        out.putInt(list.size());
        for (Map.Entry<FileKey, Digest> e : list) {
            FileKey k = e.getKey();
            out.putLong(k.device());
            out.putLong(k.inode());
            out.putLong(k.size());
            out.putLong(k.mtimeNanos());
            out.putLong(k.ctimeNanos());
            out.put((byte) (k.resetOwner() ? 1 : 0));
            out.put(e.getValue().rawHash());
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    private void load(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        }
        if (all.length < 12) {
            return;
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        ByteBuffer in = ByteBuffer.wrap(all);
        if ((int) crc.getValue() != in.getInt(all.length - 4)) {
            return; // torn or corrupted: start empty rather than trust it
        }
        if (in.getInt() != MAGIC) {
            return;
        }
        int n = in.getInt();
        if (n < 0 || (long) n * ENTRY_BYTES != all.length - 12L) {
            return;
        }
        Map<FileKey, Digest> entries = new java.util.HashMap<>(n * 4 / 3 + 1);
        byte[] hash = new byte[32];
        for (int i = 0; i < n && i < maximumSize; i++) {
            FileKey k = new FileKey(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(),
                    in.get() != 0);
            in.get(hash);
            entries.put(k, Digest.ofHash(hash));
        }
        loaded = java.util.Collections.unmodifiableMap(entries);
    }

    /** Removes temp files left by a writer that died before its rename. */
    private static void sweepTemps(Path dir) throws IOException {
        try (var s = Files.newDirectoryStream(dir, FILE_NAME + "*.tmp")) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
        }
    }
}
