package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.Threads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileLock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * File digests by {@link FileKey}, held in memory and persisted under a directory so that a fresh process does not
 * read unchanged files again; the entries read from disk (or last written) stay in a compact read-only
 * {@link DigestTable} behind a map of the entries this process computed since. Thread-safe.
 *
 * <p>The map is a plain concurrent map emptied when it reaches the maximum size (its entries are in the table after
 * a compaction, or hashed again): a first checksum puts one entry per file, and a caching library's bookkeeping
 * per put (and the compilation of its code in a fresh process) cost a first checksum of 100,000 files some 0.5 s
 * of CPU.
 *
 * <p>Two files: the compacted table ({@value #FILE_NAME}: magic, count, index capacity, the key fields of every entry
 * as one block of longs, the owner flags, the hashes, the entries' hash index, a CRC32 of all before it (zlib's,
 * which a fresh JVM runs natively rather than interpreted)), which a process maps and looks up in place
 * ({@link MappedDigestTable}: no copy of it and no index built, so a re-checksum that looks up a few digests pays
 * for little more than the checksum of the file), written as a transaction (a temp file in the same
 * directory, fsync, atomic rename, fsync of the directory); and a journal ({@value #JOURNAL_NAME}) to which a
 * process appends only the entries it added, each record with its own CRC32, so that a rebuild after touching one
 * file writes one record instead of the whole table. A compacted file that is truncated, has a bad checksum or an
 * unknown version is ignored (the cache starts empty), never trusted; the journal is read up to its first bad
 * record (a torn tail after a crash), and the next write then compacts instead of appending behind it. Every entry
 * in either file is a fact about a file's stat data and digest, so an entry left from a stale journal is as valid as
 * a compacted one: a lost append (two processes racing) only costs a re-hash.
 */
public final class ChecksumCache {

    static final String FILE_NAME = "context-checksums.bin";
    static final String JOURNAL_NAME = "context-checksums.journal";
    private static final int MAGIC = 0x57434B33; // "WCK3": columnar layout with its index, mapped when loaded
    /** The compacted file's header: magic, count, index capacity. */
    private static final int HEADER = 12;
    private static final int JOURNAL_MAGIC = 0x57434A31; // "WCJ1"
    /** A journal record: five longs, the owner flag, the hash, the record's CRC32. */
    private static final int RECORD_BYTES = 8 * DigestTable.LONGS + 1 + 32 + 4;
    /** Appends beyond this many journal records (or a quarter of the compacted entries, if more) compact instead. */
    private static final int JOURNAL_MIN_LIMIT = 1024;

    private final Optional<Path> directory;
    private final long maximumSize;
    /** Entries computed by this process since the last compaction, at most {@link #maximumSize}. */
    private final ConcurrentHashMap<FileKey, Digest> recent = new ConcurrentHashMap<>();
    /**
     * The entries of the journal as loaded, or all the entries last compacted, read-only: consulted when
     * {@link #recent} misses, before {@link #mapped}.
     */
    private volatile DigestTable loaded = DigestTable.EMPTY;
    /** The compacted file as loaded, mapped and looked up in place, or null. */
    private volatile MappedDigestTable mapped;
    /**
     * Entries added since the last load or compaction whose digest differs from the loaded one, in the order added;
     * the first {@link #journaled} of them are in the journal already. What a compaction writes besides the loaded
     * entries, and what an append writes past {@code journaled}.
     */
    private final DigestColumns added = new DigestColumns();
    private int journaled;
    /** Entries in the compacted file and valid journal records, as loaded or last written. */
    private int compactedEntries;
    private int journalEntries;
    /** Whether the next write must compact: no valid compacted file, or a journal with a torn tail. */
    private boolean mustCompact = true;

    private ChecksumCache(Optional<Path> directory, long maximumSize) {
        this.directory = directory;
        this.maximumSize = maximumSize;
    }

    /** A cache that lives only in memory. */
    public static ChecksumCache inMemory(long maximumSize) {
        return new ChecksumCache(Optional.empty(), maximumSize);
    }

    /**
     * A cache persisted under {@code directory}, whose files (if valid ones are there) are read on a thread of
     * their own from now on, while the caller scans its context: the first lookup waits for them. A file that
     * cannot be read is treated as a corrupt one (the cache starts empty and the next write replaces it).
     *
     * @throws ContextException when the directory cannot be created or read
     */
    public static ChecksumCache persistent(Path directory, long maximumSize) throws ContextException {
        ChecksumCache c = new ChecksumCache(Optional.of(directory), maximumSize);
        try {
            Files.createDirectories(directory);
            sweepTemps(directory);
        } catch (IOException e) {
            throw new ContextException("cannot use checksum cache directory " + directory + ": " + e.getMessage()
                    + " (check its permissions or delete it)", e);
        }
        Thread loader = new Thread(c.new Loader(directory), "wharf-checksum-cache-load");
        loader.setDaemon(true);
        c.loader = loader;
        loader.start();
        return c;
    }

    /**
     * Reads the files into the table. A class rather than a lambda: a fresh JVM spins a class for a lambda at its
     * first use, which a re-checksum's start would wait for.
     */
    private final class Loader implements Runnable {
        private final Path directory;

        Loader(Path directory) {
            this.directory = directory;
        }

        @Override
        public void run() {
            try {
                load(directory.resolve(FILE_NAME), directory.resolve(JOURNAL_NAME));
            } catch (IOException | RuntimeException e) {
                mustCompact = true; // unreadable: start empty, as with a corrupt file
            }
            // While the caller waits for its scan: the first SHA-256 of a JVM loads the provider and its VarHandles
            // (some 15 ms), which the checksum would otherwise wait for when the scan is done.
            Digest.of(new byte[64]);
        }
    }

    /** The thread reading the files, until a caller has waited for it. */
    private volatile Thread loader;

    /**
     * The loaded table, once the loader is done (waiting for it, without giving up on an interrupt, whose flag is
     * kept: the load is short and bounded). Its join orders the loader's writes before whatever the caller reads.
     */
    private DigestTable loaded() {
        Thread t = loader;
        if (t != null) {
            Threads.joinUninterruptibly(t);
            loader = null;
        }
        return loaded;
    }

    /** The native tree scanner whose fingerprints this cache's directory entries are keyed by, opened once. */
    private volatile Optional<dev.wharf.context.walk.NativeTreeScan> scanner;

    /**
     * The native scanner that keeps its helper and fingerprint key in this cache's directory; empty for an in-memory
     * cache (whose digests could not outlive the process anyway) and where the helper is not packaged.
     */
    Optional<dev.wharf.context.walk.NativeTreeScan> scanner() {
        Optional<dev.wharf.context.walk.NativeTreeScan> s = scanner;
        if (s == null) {
            synchronized (this) {
                s = scanner;
                if (s == null) {
                    s = directory.isEmpty() ? Optional.empty()
                            : dev.wharf.context.walk.NativeTreeScan.open(directory.get());
                    scanner = s;
                }
            }
        }
        return s;
    }

    /**
     * The ctime from which a scan should read entries' extended attributes for this cache (nanoseconds since the
     * epoch): that of its files' last write less the racy window, before which a file that changed since would have
     * been hashed and cached; {@code Long.MAX_VALUE} (none) for an in-memory cache or one never written, whose
     * checksum hashes every file (and loads the native binding to read their attributes). A hint: an entry changed
     * earlier that the cache lacks has its attributes read when it is hashed.
     */
    long xattrsSince() {
        if (directory.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long newest = Long.MIN_VALUE;
        for (String name : new String[] {FILE_NAME, JOURNAL_NAME}) {
            try {
                java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(directory.get().resolve(name));
                newest = Math.max(newest, t.to(java.util.concurrent.TimeUnit.NANOSECONDS));
            } catch (IOException e) {
                // missing: the other one, if any
            }
        }
        return newest == Long.MIN_VALUE ? Long.MAX_VALUE : newest - RecordDigester.RACY_WINDOW.toNanos();
    }

    /** Directory of the markers of contexts found too large for a first look by the Java walk. */
    private static final String LARGE = "large-contexts";
    /** Markers beyond which they are all dropped (a hint: losing one costs one context a first look). */
    private static final int LARGE_MAX = 256;

    /**
     * Whether a scan of context {@code root} found it large before (a hint kept in this cache's directory, one empty
     * file per context named by its path's hash: a collision or a lost marker only costs speed).
     */
    boolean knownLarge(Path root) {
        return directory.isPresent() && Files.exists(directory.get().resolve(LARGE).resolve(largeName(root)));
    }

    /** Remembers that context {@code root} is large; best effort. */
    void rememberLarge(Path root) {
        if (directory.isEmpty()) {
            return;
        }
        Path dir = directory.get().resolve(LARGE);
        try {
            Files.createDirectories(dir);
            try (var markers = Files.list(dir)) {
                if (markers.count() >= LARGE_MAX) {
                    try (var old = Files.list(dir)) {
                        for (Path p : (Iterable<Path>) old::iterator) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
            Files.createFile(dir.resolve(largeName(root)));
        } catch (IOException e) {
            // a hint: the next scan takes the first look again
        }
    }

    private static String largeName(Path root) {
        String p = root.toAbsolutePath().normalize().toString();
        return Integer.toHexString(p.hashCode()) + "-" + p.length();
    }

    /** Whether this cache is kept on disk (its digests, and so its directories' fingerprints, outlive the process). */
    boolean persisted() {
        return directory.isPresent();
    }

    Optional<Digest> get(FileKey key) {
        return Optional.ofNullable(lookup(key));
    }

    /** The digest cached for {@code key}, or null: the hot path of a cached rebuild (no Optional). */
    Digest lookup(FileKey key) {
        Digest d = recent.isEmpty() ? null : recent.get(key);
        return d != null ? d : stored(key);
    }

    /** The digest the loaded journal or compacted file holds for {@code key} (the journal's is the later), or null. */
    private Digest stored(FileKey key) {
        Digest d = loaded().get(key);
        MappedDigestTable m = mapped;
        return d != null || m == null ? d : m.get(key);
    }

    /**
     * Writes into {@code wire} the wire form of the digest cached for the regular file with these stat fields, as
     * {@link #lookup} finds it; false when there is none. Without a key or digest object per call: a re-checksum
     * asks this for every unchanged file. A null {@code wire} only asks whether there is one.
     */
    boolean wire(long device, long inode, long size, long mtime, long ctime, boolean resetOwner, byte[] wire) {
        if (!recent.isEmpty()) {
            Digest d = recent.get(new FileKey(device, inode, size, mtime, ctime, resetOwner));
            if (d != null) {
                if (wire != null) {
                    System.arraycopy(d.wireBytes(), 0, wire, 0, Digest.WIRE_BYTES);
                }
                return true;
            }
        }
        if (loaded().wire(device, inode, size, mtime, ctime, resetOwner, wire)) {
            return true;
        }
        MappedDigestTable m = mapped;
        return m != null && m.wire(device, inode, size, mtime, ctime, resetOwner, wire);
    }

    void put(FileKey key, Digest digest) {
        if (recent.size() >= maximumSize && !recent.containsKey(key)) {
            recent.clear(); // bounded: what was in it is in the loaded table or hashed again when next needed
        }
        Digest previous = recent.put(key, digest);
        if (previous == null) {
            previous = stored(key);
        }
        // Bounded like the cache itself: a context of a million new files must not keep a million entries to
        // persist (the ones past the bound are simply hashed again by a later build).
        if (!digest.equals(previous) && added.size() < maximumSize) {
            added.add(key, digest);
        }
    }

    /** Number of entries held now. */
    public long size() {
        return all().size();
    }

    /** The recent entries, then the loaded ones that they do not override, up to the maximum size. */
    private Map<FileKey, Digest> all() {
        Map<FileKey, Digest> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<FileKey, Digest> e : recent.entrySet()) {
            if (out.size() >= maximumSize) {
                break;
            }
            out.put(e.getKey(), e.getValue());
        }
        combined().forEach((k, d) -> {
            if (out.size() < maximumSize) {
                out.putIfAbsent(k, d);
            }
        });
        return out;
    }

    /**
     * Writes the entries added since the last load or write to disk: appended to the journal, or, when there is no
     * valid compacted file or the journal has grown past a quarter of it, as a new compacted file. A no-op for an
     * in-memory cache and when nothing was added (a cached rebuild writes nothing and syncs nothing).
     *
     * @throws ContextException when the files cannot be written; the previous files then stay intact
     */
    public synchronized void persist() throws ContextException {
        if (directory.isEmpty()) {
            return;
        }
        DigestColumns.Columns now = added.snapshot();
        int fresh = now.count() - journaled;
        if (fresh == 0) {
            return;
        }
        Path dir = directory.get();
        loaded(); // the loader's counts and flags are read below
        try {
            if (mustCompact || journalEntries + fresh > Math.max(JOURNAL_MIN_LIMIT, compactedEntries / 4)) {
                compact(dir, now);
                added.dropFirst(now.count()); // entries added meanwhile stay for the next write
                journaled = 0;
            } else {
                append(dir.resolve(JOURNAL_NAME), now, journaled);
                journalEntries += fresh;
                journaled = now.count();
            }
        } catch (IOException e) {
            throw new ContextException("cannot write checksum cache " + dir.resolve(FILE_NAME) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Writes the loaded entries and {@code now} (which override loaded ones of the same key) as the new compacted
     * file (temp, fsync, rename, fsync of the directory), then drops the journal; the written table becomes the
     * loaded one.
     */
    private void compact(Path dir, DigestColumns.Columns now) throws IOException {
        Path target = dir.resolve(FILE_NAME);
        DigestTable table = merged(now);
        byte[] body = encode(table);
        // A temp file beside it (FILE_NAME-*.tmp: what a killed compaction leaves, swept at the next start).
        AtomicFiles.replace(target, body, dir);
        // Its entries are in the new file now. A crash before this delete leaves them in both: harmless.
        if (Files.deleteIfExists(dir.resolve(JOURNAL_NAME))) {
            AtomicFiles.fsyncDirectory(dir); // make the delete durable (the rename is already)
        }
        loaded = table;
        mapped = null;
        recent.clear(); // all in the table now (a put racing with this is only hashed again)
        compactedEntries = table.entries();
        journalEntries = 0;
        mustCompact = false;
    }

    /**
     * The compacted entries and the journal's (which win over them) in one table: what a compaction merges new
     * entries into. Copies the mapped file's entries (a compaction rewrites them anyway).
     */
    private DigestTable combined() {
        DigestTable journal = loaded();
        MappedDigestTable m = mapped;
        if (m == null) {
            return journal;
        }
        DigestTable base = m.copy((int) Math.min(Integer.MAX_VALUE, maximumSize));
        int n = base.entries() + journal.entries();
        long[] keys = java.util.Arrays.copyOf(base.keys(), n * DigestTable.LONGS);
        System.arraycopy(journal.keys(), 0, keys, base.entries() * DigestTable.LONGS,
                journal.entries() * DigestTable.LONGS);
        byte[] flags = java.util.Arrays.copyOf(base.flags(), n);
        System.arraycopy(journal.flags(), 0, flags, base.entries(), journal.entries());
        byte[] hashes = java.util.Arrays.copyOf(base.hashes(), n * 32);
        System.arraycopy(journal.hashes(), 0, hashes, base.entries() * 32, journal.entries() * 32);
        return new DigestTable(keys, flags, hashes, n);
    }

    /**
     * The loaded entries that {@code now} does not override, in their order (the previous file's, which is the order
     * a checksum walks them), then those of {@code now} in the order added, up to the maximum size (the newest kept):
     * columns copied in bulk, no object per entry.
     */
    private DigestTable merged(DigestColumns.Columns now) {
        DigestTable old = combined();
        int fresh = (int) Math.min(now.count(), maximumSize);
        int from = now.count() - fresh;
        DigestTable index = old.entries() == 0 ? null
                : new DigestTable(now.keys(), now.flags(), now.hashes(), now.count());
        int room = (int) Math.min(old.entries(), maximumSize - fresh);
        int total = room + fresh;
        long[] keys = new long[total * DigestTable.LONGS];
        byte[] flags = new byte[total];
        byte[] hashes = new byte[total * 32];
        int n = 0;
        for (int i = 0; i < old.entries() && n < room; i++) {
            if (old.isWinner(i) && !index.containsKeyOf(old.keys(), old.flags(), i)) {
                System.arraycopy(old.keys(), i * DigestTable.LONGS, keys, n * DigestTable.LONGS, DigestTable.LONGS);
                flags[n] = old.flags()[i];
                System.arraycopy(old.hashes(), i * 32, hashes, n * 32, 32);
                n++;
            }
        }
        System.arraycopy(now.keys(), from * DigestTable.LONGS, keys, n * DigestTable.LONGS,
                fresh * DigestTable.LONGS);
        System.arraycopy(now.flags(), from, flags, n, fresh);
        System.arraycopy(now.hashes(), from * 32, hashes, n * 32, fresh * 32);
        return new DigestTable(keys, flags, hashes, n + fresh);
    }

    /**
     * Appends the entries of {@code now} from {@code from} on to the journal in one write under an exclusive lock
     * (concurrent processes append whole batches). Not synced: a record that a crash loses or tears only costs a
     * re-hash, and its CRC keeps a torn record from being trusted.
     */
    private static void append(Path journal, DigestColumns.Columns now, int from) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(4 + (now.count() - from) * RECORD_BYTES);
        out.position(4); // room for the header
        CRC32 crc = new CRC32();
        for (int i = from; i < now.count(); i++) {
            int start = out.position();
            int o = i * DigestTable.LONGS;
            for (int f = 0; f < DigestTable.LONGS; f++) {
                out.putLong(now.keys()[o + f]);
            }
            out.put(now.flags()[i]).put(now.hashes(), i * 32, 32);
            crc.reset();
            crc.update(out.array(), start, out.position() - start);
            out.putInt((int) crc.getValue());
        }
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND); FileLock ignored = ch.lock()) {
            ByteBuffer body = out.flip();
            if (ch.size() > 0) {
                body.position(4); // the header is written once, by the first appender
            } else {
                body.putInt(0, JOURNAL_MAGIC);
            }
            while (body.hasRemaining()) {
                ch.write(body);
            }
        }
    }

    /**
     * The compacted file's bytes: magic, count, the key longs of all entries, their owner flags, their hashes, a
     * CRC32 of all before it. Columns, so that writing and loading are bulk copies. {@code table} holds no
     * overridden entries (as {@link #merged} makes it).
     */
    private static byte[] encode(DigestTable table) {
        int n = table.entries();
        int[] slots = table.slots();
        ByteBuffer out = ByteBuffer.allocate(HEADER + (int) MappedDigestTable.bytes(n, slots.length) + 4);
        out.putInt(MAGIC);
        out.putInt(n);
        out.putInt(slots.length);
        out.asLongBuffer().put(table.keys(), 0, n * DigestTable.LONGS);
        out.position(HEADER + n * 8 * DigestTable.LONGS);
        out.put(table.flags(), 0, n);
        out.put(table.hashes(), 0, n * 32);
        out.asIntBuffer().put(slots);
        out.position(out.position() + 4 * slots.length);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    private void load(Path file, Path journal) throws IOException {
        MappedDigestTable table = map(file);
        int n = table == null ? 0 : table.entries();
        if (table != null) {
            mustCompact = false;
        }
        byte[] log = readIfExists(journal);
        int records = log.length >= 4 && ByteBuffer.wrap(log).getInt(0) == JOURNAL_MAGIC
                ? (log.length - 4) / RECORD_BYTES : 0;
        if (log.length > 0 && (records == 0 || 4 + records * RECORD_BYTES != log.length)) {
            mustCompact = true; // a torn tail (or header): appends behind it would never be read
        }
        int room = (int) Math.min(records, Math.max(0, maximumSize - Math.min(n, maximumSize)));
        long[] keys = new long[room * DigestTable.LONGS];
        byte[] flags = new byte[room];
        byte[] hashes = new byte[room * 32];
        int count = 0;
        if (room > 0) {
            ByteBuffer j = ByteBuffer.wrap(log);
            CRC32 crc = new CRC32();
            for (int r = 0; r < room; r++) {
                int at = 4 + r * RECORD_BYTES;
                crc.reset();
                crc.update(log, at, RECORD_BYTES - 4);
                if ((int) crc.getValue() != j.getInt(at + RECORD_BYTES - 4)) {
                    mustCompact = true; // torn or garbled: nothing after it is trusted
                    break;
                }
                for (int f = 0; f < DigestTable.LONGS; f++) {
                    keys[count * DigestTable.LONGS + f] = j.getLong(at + 8 * f);
                }
                flags[count] = log[at + 8 * DigestTable.LONGS];
                System.arraycopy(log, at + 8 * DigestTable.LONGS + 1, hashes, count * 32, 32);
                count++;
            }
        }
        compactedEntries = n;
        journalEntries = count;
        loaded = new DigestTable(keys, flags, hashes, count);
        mapped = table;
    }

    /**
     * The compacted file, mapped (read-only; it is only ever replaced by a rename, never rewritten in place), or null
     * when it is missing, truncated, of another version or fails its checksum: then the cache starts empty rather
     * than trust it. Checking the CRC reads the file once through the page cache, with no copy into the heap.
     */
    private static MappedDigestTable map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + 4 || size > Integer.MAX_VALUE) {
                return null;
            }
            ByteBuffer buf;
            try {
                buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            } catch (IOException | UnsupportedOperationException e) {
                // A file system that cannot map files: read it into the heap instead.
                buf = ByteBuffer.allocate((int) size);
                while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
                    // file offset = bytes read so far
                }
                buf.clear();
            }
            int count = buf.getInt(4);
            int capacity = buf.getInt(8);
            if (buf.getInt(0) != MAGIC || count < 0 || capacity <= count || Integer.bitCount(capacity) != 1
                    || HEADER + MappedDigestTable.bytes(count, capacity) + 4 != size) {
                return null;
            }
            CRC32 crc = new CRC32();
            crc.update(buf.slice(0, (int) size - 4));
            if ((int) crc.getValue() != buf.getInt((int) size - 4)) {
                return null;
            }
            return new MappedDigestTable(buf, HEADER, count, capacity);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }

    /** Removes temp files left by a writer that died before its rename. */
    private static void sweepTemps(Path dir) throws IOException {
        // Names compared as strings: a glob filter compiles a regular expression, a few ms of a fresh JVM's start.
        try (var s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (name.startsWith(FILE_NAME) && name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
