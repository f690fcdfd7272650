package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.ContextWalker;
import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.PruneHints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The files of a build context after its ignore rules, as BuildKit's checksum tree sees them
 * (cache/contenthash/checksum.go): one record per path keyed by the path with {@code /} replaced by NUL, a
 * directory having a {@code DIR} record at its key and a {@code DIR_HEADER} record at key + NUL. Key order is byte
 * order, which puts a directory's subtree right after it. The records are held in compact sorted columns
 * ({@link SnapshotRows}, about 80 bytes plus the path per record) and materialized as {@link Node}s only when asked
 * for, so a context of a million entries fits a small heap. Immutable and thread-safe once scanned.
 */
public final class ContextSnapshot {

    /** BuildKit's CacheRecordType. */
    enum Kind { FILE, DIR, DIR_HEADER, SYMLINK }

    /**
     * One record: what it is, and the lstat data behind it; the file is resolved against the context root when
     * asked for (a Path per entry held for the snapshot's life cost more memory than the entry's stat data).
     */
    record Node(Kind kind, FileStat stat, Path root) {
        Path file() {
            return stat.path().isEmpty() ? root : root.resolve(stat.path());
        }

        // Written out: the generated ones go through method handles, slow in a fresh process (see FileStat).
        @Override
        public boolean equals(Object o) {
            return o instanceof Node n && kind == n.kind && stat.equals(n.stat) && root.equals(n.root);
        }

        @Override
        public int hashCode() {
            return stat.hashCode() * 31 + kind.ordinal();
        }
    }

    /** contenthash/path.go maxSymlinkLimit. */
    private static final int MAX_SYMLINKS = 255;

    private final Path root;
    private final SnapshotRows rows;
    /** How many directories the native scan behind this snapshot left unlisted (pruned by its hints). */
    private final int unlisted;
    /**
     * The digest of the exclusions the rows were filtered by, which each directory's fingerprint is mixed with (with
     * its key) when it is asked for, or null when the rows are a whole native scan's (fingerprints as scanned).
     */
    private final byte[] mixWith;
    /** Mixed fingerprints by slot, computed at first use: a re-checksum asks for few of them. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<long[]> mixed;

    ContextSnapshot(Path root, SnapshotRows rows) {
        this(root, rows, 0, null);
    }

    ContextSnapshot(Path root, SnapshotRows rows, int unlisted, byte[] mixWith) {
        this.root = root;
        this.rows = rows;
        this.unlisted = unlisted;
        this.mixWith = mixWith;
        this.mixed = mixWith == null ? null : new java.util.concurrent.atomic.AtomicReferenceArray<>(
                rows.fingerprintCount());
    }

    /** How many excluded directories the native scan left unlisted: tests check that pruning happened. */
    int unlistedDirectories() {
        return unlisted;
    }

    /**
     * Scans {@code root}, keeping what survives {@code excludes} (the .dockerignore rules). The walk reports entries
     * in key order (a directory's DIR record, its DIR_HEADER, then its children by name, each subtree after its
     * root), so the rows are appended already sorted; {@link SnapshotRows} keeps them in compact columns.
     *
     * @throws ContextException when the context cannot be walked
     */
    public static ContextSnapshot scan(Path root, PatternMatcher excludes) throws ContextException {
        return new ContextSnapshot(root, SnapshotScan.walk(root, new ContextWalker(SnapshotScan.none(),
                excludes)));
    }

    /** The least key after every key of the subtree at {@code k} (no UTF-8 name has byte 0xFF). */
    static byte[] pastSubtree(byte[] k) {
        byte[] skip = Arrays.copyOf(k, k.length + 2);
        skip[k.length + 1] = (byte) 0xFF;
        return skip;
    }

    /**
     * The fingerprint of slot {@code slot} mixed with the exclusions' digest and its directory's key: a directory's
     * rows after the exclusions depend on its subtree, its path and the patterns, so a digest stored under the mixed
     * fingerprint is never reused for another path or other patterns.
     */
    private long[] mixed(int slot) {
        long[] m = mixed.get(slot);
        if (m == null) {
            byte[] k = rows.key(rows.fingerprintRow(slot));
            java.security.MessageDigest sha = Digest.sha256();
            sha.update(mixWith);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20);
            b.putLong(rows.fingerprint(slot, 0)).putLong(rows.fingerprint(slot, 1)).putInt(k.length);
            sha.update(b.array());
            sha.update(k);
            java.nio.ByteBuffer d = java.nio.ByteBuffer.wrap(sha.digest());
            m = new long[] {d.getLong(0), d.getLong(8)};
            mixed.set(slot, m); // a race computes the same values twice
        }
        return m;
    }

    /**
     * Contexts with at most this many entries are walked through java.nio even when the native helper could scan
     * them: starting it (finding it in the jar, a process) costs a fresh JVM more than such a walk, and a cached
     * rebuild of a small project should not pay for it. A context found larger is remembered in the cache's
     * directory ({@link ChecksumCache#knownLarge}), so its next scans skip this first look.
     */
    static final int SMALL_CONTEXT = 512;

    /**
     * {@link #scan(Path, PatternMatcher)}, by the native helper when {@code cache} is persisted (the helper and
     * its fingerprint key live in its directory), the helper is packaged for this platform and the context has more
     * than {@value #SMALL_CONTEXT} entries: one process lists and lstats the whole tree and writes the rows'
     * columns, and every directory gets a fingerprint of its subtree under which the checksum stores and reuses its
     * digest. Exclusions are then applied to those rows by {@link ContextWalker}'s own decisions (the rows are those
     * of its walk of the disk), and each kept directory's fingerprint is mixed with the patterns and its path; the
     * helper leaves unlisted the excluded directories that the walker would never enter ({@link
     * ContextWalker#pruneHints}: {@code node_modules}, {@code **}{@code /target}, {@code .git} with no {@code !}
     * exception reaching into them), and if the walker would enter one after all, the tree is scanned again whole.
     * Otherwise, or when the helper meets anything the Java walk reports as an error, or a file name the JVM would decode otherwise than
     * as UTF-8, the Java walk; the rows are the same either way.
     *
     * @throws ContextException when the context cannot be walked
     */
    public static ContextSnapshot scan(Path root, PatternMatcher excludes, ChecksumCache cache)
            throws ContextException {
        return scan(root, excludes, cache, SMALL_CONTEXT);
    }

    /** With the size up to which the Java walk is used: tests scan small trees natively. */
    static ContextSnapshot scan(Path root, PatternMatcher excludes, ChecksumCache cache, int smallContext)
            throws ContextException {
        return scan(root, excludes, cache, smallContext, null);
    }

    /** With the prune hints given ({@code null}: the walker's own): tests give hints that do not hold. */
    static ContextSnapshot scan(Path root, PatternMatcher excludes, ChecksumCache cache, int smallContext,
                                PruneHints givenHints) throws ContextException {
        return SnapshotScan.scan(root, excludes, cache, smallContext, givenHints);
    }

    /**
     * The extended attributes the native scan read for the entry of {@code stat} (it reads those of entries changed
     * since the checksum cache was last written), or empty: then the caller reads them.
     */
    java.util.Optional<java.util.Map<String, byte[]>> scannedXattrs(FileStat stat) {
        return rows.scannedXattrs(stat.device(), stat.inode(), stat.ctimeNanos());
    }

    /** How many entries' attributes the native scan read. */
    int scannedXattrCount() {
        return rows.scannedXattrCount();
    }

    /** The fingerprint slot of the directory at {@code key}, or -1 when it has none (or is no directory). */
    int fingerprintSlot(byte[] key) {
        int row = rows.search(key);
        return row < 0 ? -1 : rows.fingerprintSlot(row);
    }

    /** The number of fingerprint slots (none for a snapshot of the Java walk). */
    int fingerprintSlots() {
        return rows.fingerprintCount();
    }

    /** The fingerprint slot of directory row {@code row}, or -1. */
    int fingerprintSlotOfRow(int row) {
        return rows.fingerprintSlot(row);
    }

    /** Field {@code f} of fingerprint slot {@code slot}: 0 and 1 the fingerprint, 2 the newest time (ns). */
    long fingerprint(int slot, int f) {
        return mixWith == null || f == 2 ? rows.fingerprint(slot, f) : mixed(slot)[f];
    }

    /** The context directory. */
    public Path root() {
        return root;
    }

    /** Number of records: one per path, two per directory (its DIR and DIR_HEADER), the root included. */
    public int size() {
        return rows.size();
    }

    /**
     * Visits the lstat data of every path below the root, in key order, which is fsutil's walk order (each
     * directory's entries in byte order of their names, each directory's subtree right after it: '/' as NUL sorts
     * before every name byte); the root and the DIR_HEADER records are left out, so each path comes once. Each
     * {@link FileStat} is materialized for the call only.
     */
    public void forEachStat(java.util.function.Consumer<FileStat> visitor) {
        int n = rows.size();
        for (int row = 0; row < n; row++) {
            if (rows.kind(row) == Kind.DIR_HEADER) {
                continue;
            }
            FileStat stat = rows.stat(row);
            if (!stat.path().isEmpty()) {
                visitor.accept(stat);
            }
        }
    }

    /** The record at {@code key}, or null. */
    Node get(byte[] key) {
        int r = rows.search(key);
        return r < 0 ? null : node(r);
    }

    /** The record of row {@code row}, materialized (not kept). */
    Node node(int row) {
        FileStat stat = rows.stat(row);
        return new Node(rows.kind(row), stat, root);
    }

    /**
     * Writes into {@code wire} the digest {@code cache} holds for row {@code row} if it is a regular file, read from
     * the row's columns without materializing it; false when it is not a regular file or not cached. With a null
     * {@code wire}, only whether it is cached.
     */
    boolean cachedWire(int row, ChecksumCache cache, boolean resetOwner, byte[] wire) {
        return rows.cachedWire(row, cache, resetOwner, wire);
    }

    /** The kind of row {@code row}, without materializing it. */
    Kind kind(int row) {
        return rows.kind(row);
    }

    /** The key of row {@code row}. */
    byte[] keyAt(int row) {
        return rows.key(row);
    }

    /** The first row at or after {@code key} ({@link #size} when none). */
    int ceilingRow(byte[] key) {
        return rows.ceiling(key);
    }

    /** The least key, as NavigableMap.firstKey. */
    byte[] firstKey() {
        return rows.key(0);
    }

    /** The least key greater than {@code key}, or null, as NavigableMap.higherKey. */
    byte[] higherKey(byte[] key) {
        int r = rows.higher(key);
        return r < rows.size() ? rows.key(r) : null;
    }

    /** The least key at least {@code key}, or null, as NavigableMap.ceilingKey. */
    byte[] ceilingKey(byte[] key) {
        int r = rows.ceiling(key);
        return r < rows.size() ? rows.key(r) : null;
    }

    /** The result of resolving a path inside the snapshot: the key reached and its record (null if missing). */
    record Resolved(byte[] key, Node node) {
    }

    /**
     * Resolves symlinks inside the snapshot like a chroot (contenthash getFollowLinksCallback, continuity's
     * fs.RootPath): absolute targets restart at the context root and ".." never climbs above it. Missing
     * components are kept lexically; the node is then null.
     *
     * @param followTrailing whether a symlink in the last component is followed too
     * @throws ContextException after more than 255 links
     */
    Resolved followLinks(byte[] k, boolean followTrailing) throws ContextException {
        Node v = get(k);
        if (v != null && (!followTrailing || v.kind() != Kind.SYMLINK)) {
            return new Resolved(k, v);
        }
        if (k.length == 0) {
            return new Resolved(k, null);
        }
        String current = "/";
        String remaining = path(k);
        boolean trailingSlash = remaining.endsWith("/");
        if (trailingSlash) {
            remaining = remaining.substring(0, remaining.length() - 1);
        }
        int links = 0;
        Node cr = null;
        while (!remaining.isEmpty()) {
            String part;
            int i = remaining.indexOf('/');
            if (i < 0) {
                part = remaining;
                remaining = "";
            } else {
                part = remaining.substring(0, i);
                remaining = remaining.substring(i + 1);
            }
            String nextPath = keyPath(current + "/" + part);
            cr = get(key(nextPath));
            if (cr == null || cr.kind() != Kind.SYMLINK) {
                current = nextPath;
                continue;
            }
            if (!followTrailing && remaining.isEmpty()) {
                current = nextPath;
                break;
            }
            if (++links > MAX_SYMLINKS) {
                throw new ContextException("too many links");
            }
            String target = cr.stat().linkTarget();
            remaining = target + "/" + remaining;
            if (target.startsWith("/")) {
                current = "/";
            }
        }
        if (trailingSlash) {
            current += "/";
            cr = get(key(current));
        }
        return new Resolved(key(current), cr);
    }

    /**
     * Resolves {@code path} (taken as relative to the context root whatever its form) inside the snapshot and
     * returns the resulting absolute path, e.g. {@code /real/dir/file}.
     */
    public String resolve(String path, boolean followTrailing) throws ContextException {
        String p = path(followLinks(key(keyPath(path)), followTrailing).key());
        return p.isEmpty() ? "/" : p;
    }

    /** What lstat says about an absolute snapshot path, without following a final symlink. */
    public java.util.Optional<FileStat> lstat(String absolutePath) {
        int r = rows.search(key(keyPath(absolutePath)));
        return r < 0 ? java.util.Optional.empty() : java.util.Optional.of(rows.stat(r));
    }

    /** The file behind an absolute snapshot path, if it is in the snapshot. */
    public java.util.Optional<Path> file(String absolutePath) {
        String p = keyPath(absolutePath);
        return rows.search(key(p)) < 0 ? java.util.Optional.empty()
                : java.util.Optional.of(p.isEmpty() ? root : root.resolve(p.substring(1)));
    }

    /** The names in a snapshot directory, in byte order (as os.ReadDir sorts them). */
    public java.util.List<String> children(String absoluteDir) {
        byte[] prefix = withNul(key(keyPath(absoluteDir)));
        java.util.List<String> out = new java.util.ArrayList<>();
        byte[] k = higherKey(prefix); // skips the directory's own header (the prefix itself)
        while (k != null && startsWith(k, prefix)) {
            out.add(new String(k, prefix.length, k.length - prefix.length, StandardCharsets.UTF_8));
            byte[] skip = Arrays.copyOf(k, k.length + 2);
            skip[k.length + 1] = (byte) 0xFF; // past this child's own subtree
            k = ceilingKey(skip);
        }
        return java.util.List.copyOf(out);
    }

    /** checksum.go keyPath: path.Join("/", p), with the root as "". */
    static String keyPath(String p) {
        String j = dev.wharf.context.glob.GoPaths.clean("/" + p);
        return j.equals("/") ? "" : j;
    }

    static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** BuildKit's convertPathToKey: UTF-8 path bytes with '/' replaced by NUL ("/a/b" becomes "\0a\0b"). */
    static byte[] key(String path) {
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '/') {
                b[i] = 0;
            }
        }
        return b;
    }

    /** BuildKit's convertKeyToPath. */
    static String path(byte[] key) {
        byte[] b = key.clone();
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                b[i] = '/';
            }
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] withNul(byte[] k) {
        byte[] out = Arrays.copyOf(k, k.length + 1);
        out[k.length] = 0;
        return out;
    }
}
