package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ContextSnapshot.Kind;
import dev.wharf.context.checksum.ContextSnapshot.Node;
import dev.wharf.context.checksum.ContextSnapshot.Resolved;
import dev.wharf.context.walk.FileType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Digests of snapshot records for one checksum call (checksum.go {@code checksum}, filehash.go and
 * {@code prepareDigest}): files by header and content through the {@link ChecksumCache}, directories as the Merkle
 * hash of their header and children, memoised for the call. Files of a directory being checksummed are hashed in
 * parallel ahead of the walk. Not thread-safe: one instance per call (which uses the common fork-join pool).
 */
final class RecordDigester {

    /**
     * Files changed this recently may change again within the file system's timestamp granularity without their
     * (mtime, ctime) moving, so their digests are not cached (git's "racy clean" problem).
     */
    static final Duration RACY_WINDOW = Duration.ofSeconds(2);

    /** Size of the read buffers, kept in {@link #buffers} for the call's life. */
    private static final int BUFFER = 256 * 1024;

    /** Files hashed ahead at a time: enough to keep every core busy, few enough to bound memory. */
    private static final int WINDOW = 2048;

    /**
     * At most this many digests the cache did not take are kept for the call; beyond it a file reached twice in one
     * call (through a followed symlink) is hashed twice, which a million just-written files would otherwise cost in
     * memory.
     */
    private static final int UNCACHED_MAX = 65_536;

    /** One resolved record: its key after following links, the record, and its digest. */
    record Rec(byte[] key, Node node, Digest digest) {
    }

    private final ContextSnapshot s;
    private final ChecksumCache cache;
    private final boolean resetOwner;
    private final Clock clock;
    private final XattrReader xattrs;
    private final int parallelRecords;
    private final Map<String, Rec> memo = new ConcurrentHashMap<>();
    /** Read buffers not in use: at most one per thread that hashed at once. */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> buffers =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Digests of files hashed ahead by {@link #prehash}, with whether the whole file was read. */
    private final Map<Node, Computed> prehashed = new ConcurrentHashMap<>();
    /** The rows {@link #prehash} has yet to look at: {@code [prehashNext, prehashEnd)}. */
    private int prehashNext;
    private final java.util.concurrent.locks.ReentrantLock filling = new java.util.concurrent.locks.ReentrantLock();
    private int prehashEnd;
    /** Digests of this call's records that the cache did not take (racy, not regular, or cut short). */
    // By value: the snapshot materializes a new Node at each lookup.
    private final Map<Node, Digest> uncached = new ConcurrentHashMap<>();
    /**
     * Regular files of this call whose digest the cache did not take (racy or read short): a directory digest
     * computed while this moved is not stored, since it may cover one of them (on several threads, conservatively).
     */
    private final java.util.concurrent.atomic.AtomicInteger uncacheable = new java.util.concurrent.atomic.AtomicInteger();

    /** A freshly computed file digest, and whether exactly {@code size} bytes were read (then it may be cached). */
    private record Computed(Digest digest, boolean complete) {
    }

    RecordDigester(ContextSnapshot s, ChecksumCache cache, boolean resetOwner, Clock clock, XattrReader xattrs,
                   int parallelRecords) {
        this.parallelRecords = parallelRecords;
        this.s = s;
        this.reusedBySlot = new Object[s.fingerprintSlots()];
        this.cache = cache;
        this.resetOwner = resetOwner;
        this.clock = clock;
        this.xattrs = xattrs;
    }

    ContextSnapshot snapshot() {
        return s;
    }

    /** checksum.go lazyChecksum: the digest of the record at {@code p}. */
    Digest lazyChecksum(String p, boolean followTrailing) throws ContextException {
        byte[] k = ContextSnapshot.key(ContextSnapshot.keyPath(p));
        Resolved r = followLinks(k, followTrailing);
        if (r.node() != null && r.node().kind() == Kind.DIR) {
            prehash(r.key());
        }
        return checksum(k, followTrailing).digest();
    }

    /**
     * Starts hashing ahead, in parallel on the common fork-join pool (bounded by the core count), the regular files
     * in the subtree at directory key {@code k} that the cache does not know, so the Merkle walk that follows finds
     * them ready. Files are hashed a window of {@value #WINDOW} at a time, the next window once the walk has used
     * most of the last, so memory stays bounded whatever the subtree's size (a whole-subtree list of a million-file
     * context would not be). The digests are exactly those {@link #recordDigest} computes; a file that fails here is
     * left to the walk, which computes it again and reports the error in order.
     */
    private void prehash(byte[] k) {
        byte[] from = ContextSnapshot.withNul(k);
        byte[] to = from.clone();
        to[to.length - 1] = 1;
        filling.lock();
        try {
            prehashNext = s.ceilingRow(from);
            prehashEnd = s.ceilingRow(to);
            fillWindow();
        } finally {
            filling.unlock();
        }
    }

    /**
     * Hashes the next window of uncached regular files of the prehash range; the caller holds {@link #filling}.
     * With a large snapshot the Merkle walk runs subtrees on several threads and each may ask for the next window:
     * the one that gets the lock fills it, the others go on hashing their own files rather than wait (on two cores
     * a blocked walker is a lost core).
     */
    private void fillWindow() {
        List<Node> todo = new ArrayList<>();
        while (prehashNext < prehashEnd && todo.size() < WINDOW) {
            int row = prehashNext++;
            Kind kind = s.kind(row);
            if (kind == Kind.DIR && reused(s.fingerprintSlotOfRow(row)) != null) {
                // Its digest is reused whole: none of its files is read (nor looked at here).
                prehashNext = Math.max(prehashNext, s.ceilingRow(pastSubtree(s.keyAt(row))));
                continue;
            }
            // A cached file is skipped from its row's columns: a re-checksum passes over every row here.
            if (kind != Kind.FILE || s.cachedWire(row, cache, resetOwner, null)) {
                continue;
            }
            Node n = s.node(row);
            if (n.stat().type() == FileType.REGULAR && cache.lookup(FileKey.of(n.stat(), resetOwner)) == null) {
                todo.add(n);
            }
        }
        if (todo.size() < 2) {
            return;
        }
        todo.parallelStream().forEach(n -> {
            try {
                prehashed.put(n, compute(n));
            } catch (ContextException | RuntimeException e) {
                // The walk computes this file again and fails there, in BuildKit's order.
            }
        });
    }

    /** checksum.go checksum: the record at {@code k} (links resolved) with its digest, memoised. */
    Rec checksum(byte[] k, boolean followTrailing) throws ContextException {
        Resolved r = followLinks(k, followTrailing);
        if (r.node() == null) {
            throw new ContextException(goQuote(ContextSnapshot.path(k)) + ": not found");
        }
        if (r.node().kind() != Kind.DIR) {
            // Not memoised here: a file's digest is one cache lookup away, and files the cache does not take are
            // kept in uncached; a memo entry per file cost more than it saved.
            return new Rec(r.key(), r.node(), recordDigest(r.node()));
        }
        String memoKey = memoKey(r.key());
        Rec done = memo.get(memoKey);
        if (done != null) {
            return done;
        }
        Rec rec = new Rec(r.key(), r.node(), directoryDigest(r.key()));
        memo.put(memoKey, rec);
        return rec;
    }

    /**
     * NUL + header digest, then NUL + name + digest for each child in byte order. One in-order pass over the
     * directory's records: a child directory is hashed from the same cursor, which it leaves past its subtree, so
     * no record is looked up by key (a tree search per entry was most of a cached re-checksum).
     */
    private Digest directoryDigest(byte[] k) throws ContextException {
        int slot = s.fingerprintSlot(k);
        Digest hit = reused(slot);
        if (hit != null) {
            return hit;
        }
        int before = uncacheable.get();
        Digest d;
        if (s.size() >= parallelRecords && java.lang.Runtime.getRuntime().availableProcessors() > 1) {
            d = hashDirectoryForked(k);
        } else {
            d = hashDirectory(k, cursorAt(ContextSnapshot.withNul(k)));
        }
        remember(slot, d, before);
        return d;
    }

    /**
     * The digest stored for the directory with fingerprint slot {@code slot} (see {@link ContextSnapshot#scan(
     * java.nio.file.Path, dev.wharf.context.ignore.PatternMatcher, ChecksumCache)}), or null: with the same lstat
     * data throughout its subtree (every name, mode, owner, size, inode, mtime and ctime; an xattr change moves the
     * ctime), outside the racy window, a directory's digest is the one computed before.
     */
    private Digest reused(int slot) {
        if (slot < 0) {
            return null;
        }
        Object known = reusedBySlot[slot];
        if (known != null) {
            return known == NOT_STORED ? null : (Digest) known;
        }
        Digest d = cache.lookup(FileKey.directory(s.fingerprint(slot, 0), s.fingerprint(slot, 1), resetOwner));
        reusedBySlot[slot] = d == null ? NOT_STORED : d;
        return d;
    }

    /**
     * {@link #reused}'s answers for this call by fingerprint slot ({@link #NOT_STORED}: looked up, none): the pass that
     * hashes ahead and the walk ask for the same directories, and a lookup in the mapped cache file costs a fresh
     * JVM's interpreter tens of microseconds (a re-checksum of 100,000 files asked some 150 of them twice). Races are
     * benign: threads that look up one slot store the same answer, and a {@link Digest} is immutable. A directory
     * whose digest this call computes is in {@link #memo}, which the walk consults first.
     */
    private final Object[] reusedBySlot;
    private static final Object NOT_STORED = new Object();

    /**
     * Stores directory digest {@code d} under its fingerprint, unless the directory has none, changed within the
     * racy window (it may change again without its times moving), or a file whose digest the cache refused was
     * hashed meanwhile ({@code uncacheableBefore} is the count when its hashing began).
     */
    private void remember(int slot, Digest d, int uncacheableBefore) {
        if (slot < 0 || uncacheable.get() != uncacheableBefore) {
            return;
        }
        long now = clock.millis() * 1_000_000L;
        if (now - s.fingerprint(slot, 2) < RACY_WINDOW.toNanos()) {
            return;
        }
        cache.put(FileKey.directory(s.fingerprint(slot, 0), s.fingerprint(slot, 1), resetOwner), d);
    }

    /** Snapshots with this many records hash the child directories of the directory asked for in parallel. */
    static final int PARALLEL_RECORDS = 10_000;

    /**
     * The parallel path's task class (and its superclass), loaded with the digester whichever path a call takes, so
     * that a class-data archive recorded from a small context (the CLI's and bench/context.sh's are) holds them too:
     * otherwise a re-checksum of a large context loaded them from the jar, the first class a fresh JVM took from it,
     * which opens the jar and reads its central directory (some 7 ms of wall time with wharf's fat jar).
     */
    @SuppressWarnings("unused")
    private static final Class<?> FORKED_TASK = Subtree.class;

    private Cursor cursorAt(byte[] from) {
        return new Cursor(s, s.ceilingRow(from));
    }

    /**
     * {@link #hashDirectory} with each child directory hashed as a {@link Subtree} handed to the common pool, which
     * the calling thread also works through while it waits: the same digests, the first error in walk order
     * (subtrees are awaited in order, so an error in an earlier subtree is the one thrown). The common pool has one
     * thread fewer than the cores, so a caller that only joined would leave a core idle (on two cores, hashing ran
     * on one thread).
     */
    private Digest hashDirectoryForked(byte[] k) throws ContextException {
        byte[] prefix = ContextSnapshot.withNul(k);
        Map<String, Subtree> forks = new HashMap<>();
        List<Subtree> order = new ArrayList<>();
        Cursor scan = cursorAt(prefix);
        while (scan.key != null && ContextSnapshot.startsWith(scan.key, prefix)) {
            byte[] subk = scan.key;
            Digest hit = scan.kind() == Kind.DIR ? reused(s.fingerprintSlotOfRow(scan.row)) : null;
            if (hit != null) {
                memo.putIfAbsent(memoKey(subk), new Rec(subk, scan.node(), hit));
                scan.seek(s.ceilingRow(pastSubtree(subk)));
            } else if (scan.kind() == Kind.DIR && !memo.containsKey(memoKey(subk))) {
                Subtree t = new Subtree(subk, scan.node());
                forks.put(memoKey(subk), t);
                order.add(t);
                scan.seek(s.ceilingRow(pastSubtree(subk)));
            } else {
                scan.advance();
            }
        }
        for (Subtree t : order) {
            java.util.concurrent.ForkJoinPool.commonPool().execute(t); // a Runnable: no lambda to spin
        }
        MessageDigest h = Digest.sha256();
        Cursor c = cursorAt(prefix);
        while (c.key != null && ContextSnapshot.startsWith(c.key, prefix)) {
            byte[] subk = c.key;
            Node node = c.node();
            h.update(subk, k.length, subk.length - k.length);
            Subtree fork = forks.get(memoKey(subk));
            Digest d;
            if (fork != null) {
                d = fork.await(order);
                c.seek(s.ceilingRow(pastSubtree(subk)));
            } else if (node.kind() == Kind.DIR) {
                d = checksum(subk, false).digest();
                c.seek(s.ceilingRow(pastSubtree(subk)));
            } else {
                d = recordDigest(node);
                c.advance();
            }
            h.update(d.wireBytes());
        }
        return Digest.ofHash(h.digest());
    }

    /**
     * One child directory of a forked directory: hashed once, by the first thread that claims it (a pool thread or
     * the caller), its digest memoised; others wait for it.
     */
    private final class Subtree extends dev.wharf.context.walk.ClaimedOnce {
        private final byte[] key;
        private final Node node;
        private Digest digest;
        private Throwable error;

        Subtree(byte[] key, Node node) {
            this.key = key;
            this.node = node;
        }

        @Override
        protected void work() {
            try {
                int before = uncacheable.get();
                digest = hashDirectory(key, cursorAt(ContextSnapshot.withNul(key)));
                remember(s.fingerprintSlot(key), digest, before);
                memo.put(memoKey(key), new Rec(key, node, digest));
            } catch (ContextException | RuntimeException | Error e) {
                error = e;
            }
        }

        /**
         * This subtree's digest: hashed here if no thread has claimed it, else, while it is being hashed, the
         * unclaimed subtrees of {@code all} are hashed here from the last one back (the pool takes them from the
         * first), then this one is waited for.
         */
        Digest await(List<Subtree> all) throws ContextException {
            run();
            for (int i = all.size() - 1; i >= 0 && !done(); i--) {
                all.get(i).run();
            }
            awaitClaimed("checksumming " + ContextSnapshot.path(key));
            if (error instanceof ContextException e) {
                throw e;
            } else if (error instanceof RuntimeException e) {
                throw e;
            } else if (error instanceof Error e) {
                throw e;
            }
            return digest;
        }
    }

    /** The lowest key after every key of the subtree of {@code k} (keys never hold 0xFF: names are UTF-8). */
    private static byte[] pastSubtree(byte[] k) {
        return ContextSnapshot.pastSubtree(k);
    }

    private static String memoKey(byte[] k) {
        return new String(k, StandardCharsets.ISO_8859_1);
    }

    /**
     * In-order records of the snapshot, one row at a time; a row's node is materialized only when asked for (a
     * cached file's digest is found from the row's columns without one).
     */
    private static final class Cursor {
        private final ContextSnapshot s;
        int row;
        byte[] key;
        private Node node;

        Cursor(ContextSnapshot s, int row) {
            this.s = s;
            seek(row);
        }

        /** Moves to row {@code to}: a subtree already hashed is skipped by one search, not record by record. */
        void seek(int to) {
            row = to - 1;
            advance();
        }

        void advance() {
            row++;
            node = null;
            key = row < s.size() ? s.keyAt(row) : null;
        }

        Kind kind() {
            return s.kind(row);
        }

        Node node() {
            if (node == null && key != null) {
                node = s.node(row);
            }
            return node;
        }
    }

    /** Hashes directory {@code k} from the cursor at its header; leaves the cursor at the first record past it. */
    private Digest hashDirectory(byte[] k, Cursor c) throws ContextException {
        MessageDigest h = Digest.sha256();
        byte[] prefix = ContextSnapshot.withNul(k);
        byte[] wire = new byte[Digest.WIRE_BYTES];
        while (c.key != null && ContextSnapshot.startsWith(c.key, prefix)) {
            byte[] subk = c.key;
            h.update(subk, k.length, subk.length - k.length);
            Kind kind = c.kind();
            if (kind == Kind.FILE && s.cachedWire(c.row, cache, resetOwner, wire)) {
                // The common case of a re-checksum: an unchanged regular file, found from the row's columns
                // without a node, stat, key or digest object.
                h.update(wire);
                c.advance();
                continue;
            }
            Node node = c.node();
            int row = c.row;
            Digest d;
            c.advance();
            if (node.kind() == Kind.DIR) {
                Rec done = memo.get(memoKey(subk));
                int slot = done == null ? s.fingerprintSlotOfRow(row) : -1;
                Digest hit = reused(slot);
                if (done != null || hit != null) {
                    c.seek(s.ceilingRow(pastSubtree(subk)));
                    d = done != null ? done.digest() : hit;
                } else {
                    int before = uncacheable.get();
                    d = hashDirectory(subk, c);
                    remember(slot, d, before);
                    memo.put(memoKey(subk), new Rec(subk, node, d));
                }
            } else {
                d = recordDigest(node);
            }
            h.update(d.wireBytes());
        }
        return Digest.ofHash(h.digest());
    }

    /**
     * filehash.go NewFileHash plus prepareDigest: header, then content for non-empty regular files. Regular files and
     * directories other than the root are cached by their {@link FileKey}: a directory's record is its header alone
     * (mode, owners, xattrs; its children are hashed separately), which any chmod, chown or xattr change moves the
     * ctime of. Caching directories too means a re-checksum reads no extended attributes at all, so a cached build
     * never loads the native binding (about 60 ms of CPU in a fresh CLI). The root is left out: its header is hashed
     * without xattrs, and the same directory may be an inner directory of another context.
     */
    private Digest recordDigest(Node node) throws ContextException {
        FileType type = node.stat().type();
        boolean cacheable = type == FileType.REGULAR
                || type == FileType.DIRECTORY && !node.stat().path().isEmpty();
        FileKey fileKey = cacheable ? FileKey.of(node.stat(), resetOwner) : null;
        if (fileKey != null) {
            Digest hit = cache.lookup(fileKey);
            if (hit != null) {
                return hit;
            }
        }
        Digest seen = uncached.get(node);
        if (seen != null) {
            if (fileKey != null) {
                uncacheable.incrementAndGet(); // a directory over it is not stored either
            }
            return seen;
        }
        if (prehashed.size() <= WINDOW / 4 && filling.tryLock()) {
            try {
                fillWindow();
            } finally {
                filling.unlock();
            }
        }
        Computed c = prehashed.remove(node);
        if (c == null) {
            c = compute(node);
        }
        if (fileKey != null && c.complete() && !racy(node)) {
            cache.put(fileKey, c.digest());
        } else {
            if (fileKey != null) {
                uncacheable.incrementAndGet();
            }
            // Hashed once per call even when reached again through a symlink, so one call sees one content.
            if (uncached.size() < UNCACHED_MAX) {
                uncached.put(node, c.digest());
            }
        }
        return c.digest();
    }

    private Computed compute(Node node) throws ContextException {
        boolean isRoot = node.stat().path().isEmpty();
        FileType type = node.stat().type();
        boolean content = type == FileType.REGULAR && node.stat().size() > 0;
        java.nio.file.Path file = node.file();
        Map<String, byte[]> attrs = isRoot ? Map.of() : s.scannedXattrs(node.stat()).orElse(null);
        if (attrs == null) {
            attrs = xattrs.read(file, type, "/" + node.stat().path());
        }
        MessageDigest h = Digest.sha256();
        h.update(TarsumHeader.of(node.stat(), attrs, resetOwner));
        long read = 0;
        if (content) {
            // One buffer per hashing thread, reused: one per file allocated (and zeroed) as much as the context's
            // size, a gigabyte for a large one. Large enough that most files take one read and one EOF check.
            byte[] buf = buffers.poll();
            if (buf == null) {
                buf = new byte[BUFFER];
            }
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    h.update(buf, 0, n);
                    read += n;
                }
            } catch (AccessDeniedException e) {
                throw new ContextException("failed to open /" + node.stat().path() + ": permission denied", e);
            } catch (IOException e) {
                throw new ContextException("failed to copy file data for /" + node.stat().path() + ": "
                        + e.getMessage(), e);
            } finally {
                buffers.offer(buf);
            }
        }
        // Complete: the whole file was read (a directory's stat size is no content, nothing is read for it).
        return new Computed(Digest.wrap(h.digest()), content ? read == node.stat().size() : true);
    }

    private boolean racy(Node node) {
        long now = clock.millis() * 1_000_000L;
        long newest = Math.max(node.stat().mtimeNanos(), node.stat().ctimeNanos());
        return now - newest < RACY_WINDOW.toNanos();
    }

    Resolved followLinks(byte[] k, boolean followTrailing) throws ContextException {
        return s.followLinks(k, followTrailing);
    }

    /** Go's %q for the common case: quotes, escapes quote, backslash and control characters. */
static String goQuote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
            case '"' -> b.append("\\\"");
            case '\\' -> b.append("\\\\");
            case '\n' -> b.append("\\n");
            case '\t' -> b.append("\\t");
            case '\r' -> b.append("\\r");
            default -> {
                if (c < 0x20 || c == 0x7f) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
    }
    return b.append('"').toString();
}
}
