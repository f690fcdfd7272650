package dev.wharf.context.checksum;

import dev.wharf.context.walk.FileStat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The records of a {@link ContextSnapshot} in sorted order, held in primitive columns instead of one map entry, key
 * array, record, {@link FileStat} and {@code Path} per record: a context of a million entries would otherwise take
 * some 400 bytes per entry (a TreeMap entry, the key, a Node, a FileStat with its path String, a Path), about 400 MB.
 *
 * <p>Per row: 73 bytes of columns (mode, uid, gid, nlink as ints; size, mtime, ctime, inode, device, rdev as longs;
 * the kind as a byte; the key's position as a long) plus the key bytes and, for a symlink, its target, with 4-byte
 * lengths, in 64 KiB pages. Rows and pages are allocated in fixed-size blocks, so growing never copies a large
 * array (no transient doubling). Lookups are binary searches over the sorted keys. Append-only while scanning, then
 * read-only; not thread-safe while appending, thread-safe after.
 */
final class SnapshotRows {
    private static final int BLOCK_BITS = 12;
    private static final int BLOCK = 1 << BLOCK_BITS;
    private static final int PAGE = 1 << 16;

    private static final class Block {
        final byte[] kind = new byte[BLOCK];
        final int[] mode = new int[BLOCK];
        final int[] uid = new int[BLOCK];
        final int[] gid = new int[BLOCK];
        final int[] nlink = new int[BLOCK];
        final long[] size = new long[BLOCK];
        final long[] mtime = new long[BLOCK];
        final long[] ctime = new long[BLOCK];
        final long[] inode = new long[BLOCK];
        final long[] device = new long[BLOCK];
        final long[] rdev = new long[BLOCK];
        final long[] keyAt = new long[BLOCK];
    }

    private final List<Block> blocks = new ArrayList<>();
    private final List<byte[]> pages = new ArrayList<>();
    private int pageUsed = PAGE;
    private int size;

    int size() {
        return size;
    }

    /** Rows whose keys may be in {@code other}'s pages, so that {@link #appendRows} copies its rows as they are. */
    private SnapshotRows pagesOf;

    /** Empty rows that share {@code full}'s key pages (appended keys go to pages after them). */
    static SnapshotRows sharingPagesOf(SnapshotRows full) {
        SnapshotRows rows = new SnapshotRows();
        rows.pages.addAll(full.pages);
        rows.pagesOf = full;
        rows.xattrs = full.xattrs; // keyed by inode and ctime, not by row: as valid for the filtered rows
        return rows;
    }

    /**
     * The extended attributes a native scan read for its recently changed entries ({@code --xattrs-since}): per
     * entry its device, inode and ctime (three longs) and the span of its attributes in {@link #xattrData} as the
     * helper wrote them; none for a Java walk.
     */
    private long[] xattrKeys = new long[0];
    private int[] xattrSpans = new int[0];
    private byte[] xattrData = new byte[0];
    private SnapshotRows xattrs = this;

    /** Entry numbers of {@link #xattrKeys} by {@link #mix} of their inode and ctime (the first of equal mixes). */
    private java.util.Map<Long, Integer> xattrIndex = java.util.Map.of();

    private static long mix(long inode, long ctime) {
        return inode * 0x9E3779B97F4A7C15L ^ ctime;
    }

    /**
     * The attributes the scan read for the entry with this device, inode and ctime, or empty when it read none for it
     * (or reported a failure to list them): the caller reads them itself. An entry whose ctime moved since is never
     * matched (nor, harmlessly, one whose mix of inode and ctime another entry has too).
     */
    java.util.Optional<java.util.Map<String, byte[]>> scannedXattrs(long device, long inode, long ctime) {
        SnapshotRows x = xattrs;
        Integer e = x.xattrKeys.length == 0 ? null : x.xattrIndex.get(mix(inode, ctime));
        if (e == null) {
            return java.util.Optional.empty();
        }
        long[] k = x.xattrKeys;
        int i = 3 * e;
        if (k[i] != device || k[i + 1] != inode || k[i + 2] != ctime) {
            return java.util.Optional.empty();
        }
        return dev.wharf.context.walk.NativeTreeScan.parseXattrs(x.xattrData, x.xattrSpans[2 * e],
                x.xattrSpans[2 * e + 1]);
    }

    /** How many entries' attributes the scan sent: tests check that a re-checksum had them. */
    int scannedXattrCount() {
        return xattrs.xattrKeys.length / 3;
    }

    /**
     * Appends rows {@code [start, end)} of {@code from}, whose pages these rows share, column by column in bulk,
     * with the fingerprints of the directories among them; their keys must sort after the last row's. False, and
     * nothing appended, when one of them is a directory the scan left unlisted (its subtree is not there).
     */
    boolean appendRows(SnapshotRows from, int start, int end) {
        if (from != pagesOf) {
            throw new IllegalArgumentException("rows of another scan");
        }
        int firstPruned = Arrays.binarySearch(from.prunedRows, start);
        int p = firstPruned >= 0 ? firstPruned : -firstPruned - 1;
        if (p < from.prunedRows.length && from.prunedRows[p] < end) {
            return false;
        }
        int offset = size - start;
        for (int r = start; r < end; ) {
            if ((size & (BLOCK - 1)) == 0) {
                blocks.add(new Block());
            }
            Block dst = blocks.get(size >>> BLOCK_BITS);
            int di = size & (BLOCK - 1);
            Block src = from.blocks.get(r >>> BLOCK_BITS);
            int si = r & (BLOCK - 1);
            int n = Math.min(end - r, Math.min(BLOCK - di, BLOCK - si));
            System.arraycopy(src.kind, si, dst.kind, di, n);
            System.arraycopy(src.mode, si, dst.mode, di, n);
            System.arraycopy(src.uid, si, dst.uid, di, n);
            System.arraycopy(src.gid, si, dst.gid, di, n);
            System.arraycopy(src.nlink, si, dst.nlink, di, n);
            System.arraycopy(src.size, si, dst.size, di, n);
            System.arraycopy(src.mtime, si, dst.mtime, di, n);
            System.arraycopy(src.ctime, si, dst.ctime, di, n);
            System.arraycopy(src.inode, si, dst.inode, di, n);
            System.arraycopy(src.device, si, dst.device, di, n);
            System.arraycopy(src.rdev, si, dst.rdev, di, n);
            System.arraycopy(src.keyAt, si, dst.keyAt, di, n);
            size += n;
            r += n;
        }
        int slot = Arrays.binarySearch(from.fingerprintRows, 0, from.fingerprinted, start);
        for (slot = slot >= 0 ? slot : -slot - 1; slot < from.fingerprinted && from.fingerprintRows[slot] < end;
             slot++) {
            addFingerprint(from.fingerprintRows[slot] + offset, from.fingerprints[3 * slot],
                    from.fingerprints[3 * slot + 1], from.fingerprints[3 * slot + 2]);
        }
        return true;
    }

    /** Appends a row; its key must sort after the previous row's (the caller checks with {@link #compareLast}). */
    void add(byte[] key, ContextSnapshot.Kind kind, FileStat stat) {
        if ((size & (BLOCK - 1)) == 0) {
            blocks.add(new Block());
        }
        Block b = blocks.get(size >>> BLOCK_BITS);
        int i = size & (BLOCK - 1);
        byte[] target = stat.linkTarget().isEmpty() ? null : stat.linkTarget().getBytes(StandardCharsets.UTF_8);
        b.kind[i] = (byte) kind.ordinal();
        b.mode[i] = stat.mode();
        b.uid[i] = stat.uid();
        b.gid[i] = stat.gid();
        b.nlink[i] = stat.nlink();
        b.size[i] = stat.size();
        b.mtime[i] = stat.mtimeNanos();
        b.ctime[i] = stat.ctimeNanos();
        b.inode[i] = stat.inode();
        b.device[i] = stat.device();
        b.rdev[i] = stat.rdev();
        b.keyAt[i] = store(key, target);
        size++;
    }

    /**
     * Rows of directories with a subtree fingerprint (a native scan's, {@link ColumnsReader}), in row order, and per
     * such row its two fingerprint longs and its newest time: a few per directory, none per file.
     */
    private int[] fingerprintRows = new int[0];
    private long[] fingerprints = new long[0];
    private int fingerprinted;

    /**
     * The fingerprint slot of directory row {@code row}, or -1 when it has none; {@link #fingerprint} reads it.
     */
    int fingerprintSlot(int row) {
        int slot = Arrays.binarySearch(fingerprintRows, 0, fingerprinted, row);
        return slot < 0 ? -1 : slot;
    }

    /**
     * Gives directory row {@code row}, which comes after every row fingerprinted so far, a fingerprint and its
     * subtree's newest time (rows filtered from a native scan's, {@link ContextSnapshot#scan}).
     */
    void addFingerprint(int row, long fingerprint0, long fingerprint1, long newest) {
        if (fingerprinted == fingerprintRows.length) {
            int grown = Math.max(16, fingerprinted * 2);
            fingerprintRows = Arrays.copyOf(fingerprintRows, grown);
            fingerprints = Arrays.copyOf(fingerprints, grown * 3);
        }
        fingerprintRows[fingerprinted] = row;
        fingerprints[fingerprinted * 3] = fingerprint0;
        fingerprints[fingerprinted * 3 + 1] = fingerprint1;
        fingerprints[fingerprinted * 3 + 2] = newest;
        fingerprinted++;
    }

    /** Rows of directories a native scan left unlisted (its prune hints), in row order. */
    private int[] prunedRows = new int[0];

    /** How many directories a native scan left unlisted. */
    int unlistedCount() {
        return prunedRows.length;
    }

    /** Whether directory row {@code row} was left unlisted by a native scan: its entries are not in these rows. */
    boolean unlisted(int row) {
        return prunedRows.length > 0 && Arrays.binarySearch(prunedRows, row) >= 0;
    }

    /** The number of fingerprint slots. */
    int fingerprintCount() {
        return fingerprinted;
    }

    /** The directory row of fingerprint slot {@code slot}. */
    int fingerprintRow(int slot) {
        return fingerprintRows[slot];
    }

    /** Field {@code f} (0 and 1: the fingerprint, 2: the newest time in nanoseconds) of fingerprint slot {@code slot}. */
    long fingerprint(int slot, int f) {
        return fingerprints[slot * 3 + f];
    }

    /**
     * Reads the rows the native scan helper writes (see {@code conv} in wharf-scan.c): blocks of rows, each column
     * of a block read from the stream straight into its block's array, key pages, then the counts, flags and the
     * directories' fingerprints. The blocks come as the helper walks, so this reads while the tree is still being
     * scanned. Null when the names are not UTF-8 the JVM decodes as such (the Java walk then decodes them its way)
     * or the stream is malformed or cut short (a failure the Java walk reports). A class rather than a lambda: a
     * fresh JVM spins a class for a lambda at its first use.
     */
    static final class ColumnsReader implements dev.wharf.context.walk.NativeTreeScan.Reader<SnapshotRows> {
        @Override
        public SnapshotRows read(java.io.InputStream in) throws java.io.IOException {
            SnapshotRows rows = new SnapshotRows();
            byte[] chunk = new byte[BLOCK * 8];
            java.nio.ByteBuffer c = java.nio.ByteBuffer.wrap(chunk).order(java.nio.ByteOrder.nativeOrder());
            java.nio.IntBuffer ints = c.asIntBuffer();
            java.nio.LongBuffer longs = c.asLongBuffer();
            int n = 0;
            while (true) {
                int tag = in.read();
                if (tag == 'B') {
                    if (in.readNBytes(chunk, 0, 8) != 8) {
                        return null;
                    }
                    int len = c.getInt(0);
                    int flags = c.getInt(4);
                    if (len <= 0 || len > BLOCK || (n & (BLOCK - 1)) != 0) {
                        return null; // every block but the last is full
                    }
                    Block blk = new Block();
                    rows.blocks.add(blk);
                    if (in.readNBytes(blk.kind, 0, len) != len) {
                        return null;
                    }
                    for (int col = 0; col < 4; col++) {
                        int[] dst = col == 0 ? blk.mode : col == 1 ? blk.uid : col == 2 ? blk.gid : blk.nlink;
                        // The uid and gid columns may hold one value for the block's rows (flags 4 and 8).
                        if ((col == 1 || col == 2) && (flags & (col == 1 ? 4 : 8)) != 0) {
                            if (in.readNBytes(chunk, 0, 4) != 4) {
                                return null;
                            }
                            Arrays.fill(dst, 0, len, c.getInt(0));
                        } else {
                            if (in.readNBytes(chunk, 0, 4 * len) != 4 * len) {
                                return null;
                            }
                            ints.get(0, dst, 0, len);
                        }
                    }
                    for (int col = 0; col < 7; col++) {
                        long[] dst = switch (col) {
                            case 0 -> blk.size;
                            case 1 -> blk.mtime;
                            case 2 -> blk.ctime;
                            case 3 -> blk.inode;
                            case 4 -> blk.device;
                            case 5 -> blk.rdev;
                            default -> blk.keyAt;
                        };
                        // The device and rdev columns may hold one value for the block's rows (flags 16 and 32).
                        if ((col == 4 || col == 5) && (flags & (col == 4 ? 16 : 32)) != 0) {
                            if (in.readNBytes(chunk, 0, 8) != 8) {
                                return null;
                            }
                            Arrays.fill(dst, 0, len, c.getLong(0));
                        } else {
                            if (in.readNBytes(chunk, 0, 8 * len) != 8 * len) {
                                return null;
                            }
                            longs.get(0, dst, 0, len);
                        }
                    }
                    n += len;
                } else if (tag == 'G') {
                    if (in.readNBytes(chunk, 0, 4) != 4) {
                        return null;
                    }
                    int count = c.getInt(0);
                    for (int p = 0; p < count; p++) {
                        if (in.readNBytes(chunk, 0, 8) != 8) {
                            return null;
                        }
                        int alloc = c.getInt(0);
                        int used = c.getInt(4);
                        if (used < 0 || alloc < used || alloc > Math.max(PAGE, 1 << 24)) {
                            return null;
                        }
                        byte[] page = new byte[alloc];
                        if (in.readNBytes(page, 0, used) != used) {
                            return null;
                        }
                        rows.pages.add(page);
                    }
                } else if (tag == 'E') {
                    return trailer(in, rows, n, c, chunk);
                } else {
                    return null; // cut short (a failure) or malformed
                }
            }
        }

        /** The counts, flags and fingerprints after the last block, then 'Z' and the end of the stream. */
        private static SnapshotRows trailer(java.io.InputStream in, SnapshotRows rows, int n,
                                            java.nio.ByteBuffer c, byte[] chunk) throws java.io.IOException {
            if (in.readNBytes(chunk, 0, 16) != 16) {
                return null;
            }
            int total = c.getInt(0);
            int pageCount = c.getInt(4);
            int fps = c.getInt(8);
            int flags = c.getInt(12);
            if ((flags & 1) != 0 || (flags & 2) != 0 && !FILE_NAMES_UTF8 || total != n || n < 2
                    || pageCount != rows.pages.size() || pageCount < 1 || fps < 1 || fps > n) {
                return null;
            }
            // Two columns, each copied in bulk: the rows, then per row its fingerprint and newest time.
            byte[] f = in.readNBytes(28 * fps);
            if (f.length != 28 * fps) {
                return null;
            }
            java.nio.ByteBuffer fb = java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.nativeOrder());
            rows.fingerprintRows = new int[fps];
            rows.fingerprints = new long[fps * 3];
            fb.asIntBuffer().get(0, rows.fingerprintRows, 0, fps);
            fb.position(4 * fps);
            fb.slice().order(java.nio.ByteOrder.nativeOrder()).asLongBuffer().get(0, rows.fingerprints, 0, 3 * fps);
            int[] pruned = new int[0];
            int prunedCount = 0;
            for (int i = 0; i < fps; i++) {
                int row = rows.fingerprintRows[i];
                if (row < 0) { // the top bit: a directory the scan's hints left unlisted
                    row &= Integer.MAX_VALUE;
                    if (prunedCount == pruned.length) {
                        pruned = Arrays.copyOf(pruned, Math.max(8, prunedCount * 2));
                    }
                    pruned[prunedCount++] = row;
                }
                if (row >= n || i > 0 && row <= rows.fingerprintRows[i - 1]) {
                    return null;
                }
                rows.fingerprintRows[i] = row;
            }
            if (!readXattrs(in, rows) || in.read() != 'Z' || in.read() != -1) {
                return null;
            }
            rows.fingerprinted = fps;
            rows.prunedRows = Arrays.copyOf(pruned, prunedCount);
            rows.size = n;
            rows.pageUsed = PAGE; // complete: nothing is appended to a scanned snapshot
            return rows;
        }
    }


    /**
     * The trailer's attributes section: 'T', u32 count, u32 bytes, then per entry u64 device, inode, ctime, u32 length
     * and the attributes; false when malformed.
     */
    private static boolean readXattrs(java.io.InputStream in, SnapshotRows rows) throws java.io.IOException {
        byte[] head = in.readNBytes(9);
        if (head.length != 9 || head[0] != 'T') {
            return false;
        }
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.nativeOrder());
        int count = h.getInt(1);
        int bytes = h.getInt(5);
        if (count < 0 || count > 1 << 20 || bytes < 28L * count || bytes > 1 << 28) {
            return false;
        }
        if (count == 0) {
            return bytes == 0;
        }
        byte[] data = in.readNBytes(bytes);
        if (data.length != bytes) {
            return false;
        }
        java.nio.ByteBuffer d = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.nativeOrder());
        long[] keys = new long[3 * count];
        int[] spans = new int[2 * count];
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (at + 28 > bytes) {
                return false;
            }
            keys[3 * i] = d.getLong(at);
            keys[3 * i + 1] = d.getLong(at + 8);
            keys[3 * i + 2] = d.getLong(at + 16);
            int len = d.getInt(at + 24);
            if (len < 0 || len > bytes - at - 28) {
                return false;
            }
            spans[2 * i] = at + 28;
            spans[2 * i + 1] = at + 28 + len;
            at += 28 + len;
        }
        if (at != bytes) {
            return false;
        }
        java.util.Map<Long, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            index.putIfAbsent(mix(keys[3 * i + 1], keys[3 * i + 2]), i);
        }
        rows.xattrKeys = keys;
        rows.xattrSpans = spans;
        rows.xattrData = data;
        rows.xattrIndex = index;
        return true;
    }

    /** Whether the JVM decodes file names as UTF-8 (then valid UTF-8 names are their keys' bytes as they are). */
    private static final boolean FILE_NAMES_UTF8 = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding",
            "UTF-8")) || "UTF8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding", ""));

    /** Compares {@code key} with the last row's key (1 when there is no row). */
    int compareLast(byte[] key) {
        return size == 0 ? 1 : -compareKey(size - 1, key);
    }

    private long store(byte[] key, byte[] target) {
        int need = 4 + key.length + (target == null ? 0 : 4 + target.length);
        if (need > PAGE) {
            pages.add(new byte[need]); // a huge key gets a page of its own
            pageUsed = PAGE;
            put(pages.size() - 1, 0, key, target);
            return (long) (pages.size() - 1) << 32;
        }
        if (pageUsed + need > PAGE) {
            pages.add(new byte[PAGE]);
            pageUsed = 0;
        }
        int at = pageUsed;
        put(pages.size() - 1, at, key, target);
        pageUsed += need;
        return ((long) (pages.size() - 1) << 32) | at;
    }

    private void put(int page, int at, byte[] key, byte[] target) {
        byte[] p = pages.get(page);
        putInt(p, at, key.length);
        System.arraycopy(key, 0, p, at + 4, key.length);
        if (target != null) {
            putInt(p, at + 4 + key.length, target.length);
            System.arraycopy(target, 0, p, at + 8 + key.length, target.length);
        }
    }

    private static void putInt(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }

    private static int getInt(byte[] p, int at) {
        return ((p[at] & 0xff) << 24) | ((p[at + 1] & 0xff) << 16) | ((p[at + 2] & 0xff) << 8) | (p[at + 3] & 0xff);
    }

    /** The key of row {@code row}, a new array. */
    byte[] key(int row) {
        long at = blocks.get(row >>> BLOCK_BITS).keyAt[row & (BLOCK - 1)];
        byte[] p = pages.get((int) (at >>> 32));
        int off = (int) at;
        int len = getInt(p, off);
        return Arrays.copyOfRange(p, off + 4, off + 4 + len);
    }

    /** Compares the key of {@code row} with {@code key}, without copying it. */
    private int compareKey(int row, byte[] key) {
        long at = blocks.get(row >>> BLOCK_BITS).keyAt[row & (BLOCK - 1)];
        byte[] p = pages.get((int) (at >>> 32));
        int off = (int) at;
        int len = getInt(p, off);
        return Arrays.compareUnsigned(p, off + 4, off + 4 + len, key, 0, key.length);
    }

    /** {@link ContextSnapshot#cachedWire}: the cache lookup of a regular file's row from its columns. */
    boolean cachedWire(int row, ChecksumCache cache, boolean resetOwner, byte[] wire) {
        Block b = blocks.get(row >>> BLOCK_BITS);
        int i = row & (BLOCK - 1);
        return (b.mode[i] & 0170000) == 0100000 && cache.wire(b.device[i], b.inode[i], b.size[i], b.mtime[i],
                b.ctime[i], resetOwner, wire);
    }

    /** Kind by ordinal: values() copies its array at each call. */
    private static final ContextSnapshot.Kind[] KINDS = ContextSnapshot.Kind.values();

    ContextSnapshot.Kind kind(int row) {
        return KINDS[blocks.get(row >>> BLOCK_BITS).kind[row & (BLOCK - 1)]];
    }

    /** The stat of row {@code row}, its path rebuilt from the key (a DIR_HEADER's trailing NUL dropped). */
    FileStat stat(int row) {
        Block b = blocks.get(row >>> BLOCK_BITS);
        int i = row & (BLOCK - 1);
        long at = b.keyAt[i];
        byte[] p = pages.get((int) (at >>> 32));
        int off = (int) at;
        int len = getInt(p, off);
        String target = "";
        if (off + 4 + len + 4 <= p.length && (b.mode[i] & 0170000) == 0120000) {
            int tl = getInt(p, off + 4 + len);
            target = new String(p, off + 8 + len, tl, StandardCharsets.UTF_8);
        }
        int end = off + 4 + len;
        if (kind(row) == ContextSnapshot.Kind.DIR_HEADER) {
            end--;
        }
        // The key is "\0a\0b" for "a/b": drop the leading NUL, turn the others into '/'.
        byte[] path = end - off - 4 > 0 ? Arrays.copyOfRange(p, off + 5, end) : new byte[0];
        for (int k = 0; k < path.length; k++) {
            if (path[k] == 0) {
                path[k] = '/';
            }
        }
        return new FileStat(new String(path, StandardCharsets.UTF_8), b.mode[i], b.uid[i], b.gid[i], b.size[i],
                b.mtime[i], b.ctime[i], b.inode[i], b.device[i], b.rdev[i], b.nlink[i], target);
    }

    /** The row whose key is {@code key}, or {@code -(insertion point) - 1}. */
    int search(byte[] key) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareKey(mid, key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** The first row whose key is at least {@code key}; {@link #size} when none. */
    int ceiling(byte[] key) {
        int r = search(key);
        return r >= 0 ? r : -r - 1;
    }

    /** The first row whose key is greater than {@code key}; {@link #size} when none. */
    int higher(byte[] key) {
        int r = search(key);
        return r >= 0 ? r + 1 : -r - 1;
    }
}
