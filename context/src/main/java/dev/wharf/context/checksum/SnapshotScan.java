package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ContextSnapshot.Kind;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.ContextWalker;
import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import dev.wharf.context.walk.PruneHints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.wharf.context.checksum.ContextSnapshot.key;
import static dev.wharf.context.checksum.ContextSnapshot.pastSubtree;
import static dev.wharf.context.checksum.ContextSnapshot.startsWith;
import static dev.wharf.context.checksum.ContextSnapshot.withNul;

/**
 * Makes a {@link ContextSnapshot}'s rows: by the Java walk of the disk, or from a native scan's rows put through the
 * walker's own exclusion decisions (with each kept directory's fingerprint carried over), scanning again whole when
 * the scan's prune hints did not hold. Stateless: the state of one scan is in its {@link Filter} and
 * {@link RowsLister}.
 */
final class SnapshotScan {
    private SnapshotScan() {
    }

    /**
     * The root directory as BuildKit sees it: a fresh snapshot directory, 0755 and owned by root, because the
     * file sender never transfers the context root's own metadata (fsutil skips ".").
     */
    private static final int ROOT_MODE = 040755;

    /** The rows of a walk of {@code root} by {@code walker} (its exclusions applied). */
    static SnapshotRows walk(Path root, ContextWalker walker) throws ContextException {
        return walk(root, walker, (RowsLister) null);
    }

    /**
     * The rows of a walk by {@code walker}: of the disk under {@code root} when {@code lister} is null, else of the
     * rows of a native scan of it that {@code lister} lists, whose directories' fingerprints are then carried over as
     * scanned (the snapshot mixes them with the exclusions and each directory's key when they are asked for, see
     * {@link ContextSnapshot#fingerprint}).
     */
    private static SnapshotRows walk(Path root, ContextWalker walker, RowsLister lister) throws ContextException {
        SnapshotRows full = lister == null ? null : lister.rows;
        SnapshotRows rows = full == null ? new SnapshotRows() : SnapshotRows.sharingPagesOf(full);
        FileStat rootStat = new FileStat("", ROOT_MODE, 0, 0, 0, 0, 0, 0, 0, 0, 2, "");
        rows.add(new byte[0], Kind.DIR, rootStat);
        rows.add(new byte[] {0}, Kind.DIR_HEADER, rootStat);
        if (full != null) {
            carryFingerprint(full, rows, new byte[0]);
        }
        Filter visitor = new Filter(rows, lister);
        if (full == null) {
            walker.walk(root, visitor);
        } else {
            walker.walk(root, lister, visitor);
        }
        return rows;
    }

    /**
     * Appends what a walk reports to the rows: each entry (a directory as its DIR and DIR_HEADER rows, with its
     * fingerprint when the walk is over a native scan's rows), and over such rows a directory nothing under which is
     * excluded as its rows copied in bulk ({@link ContextWalker.SubtreeVisitor}). A class rather than a lambda: a
     * fresh JVM spins a class for a lambda at its first use.
     */
    private static final class Filter implements ContextWalker.SubtreeVisitor {
        private final SnapshotRows rows;
        private final RowsLister lister;

        Filter(SnapshotRows rows, RowsLister lister) {
            this.rows = rows;
            this.lister = lister;
        }

        @Override
        public void visit(FileStat stat) throws ContextException {
            byte[] k = key("/" + stat.path());
            if (rows.compareLast(k) <= 0) {
                // Cannot happen with ContextWalker's order; a silent mis-sort would give wrong lookups.
                throw new ContextException("context entry " + stat.path() + " was reported out of order");
            }
            FileType t = stat.type();
            if (t == FileType.DIRECTORY) {
                rows.add(k, Kind.DIR, stat);
                rows.add(withNul(k), Kind.DIR_HEADER, stat);
                if (lister != null) {
                    carryFingerprint(lister.rows, rows, k);
                }
            } else {
                rows.add(k, t == FileType.SYMLINK ? Kind.SYMLINK : Kind.FILE, stat);
            }
        }

        @Override
        public void visitSubtree(FileStat dir) throws ContextException {
            byte[] k = key("/" + dir.path());
            SnapshotRows full = lister == null ? null : lister.rows;
            int start = full == null ? -1 : full.search(k);
            if (start < 0 || rows.compareLast(k) <= 0) {
                throw new ContextException("context entry " + dir.path() + " was reported out of order");
            }
            if (!rows.appendRows(full, start, full.ceiling(pastSubtree(k)))) {
                lister.missed = true; // a directory the scan left unlisted is in it: the caller scans again
            }
        }
    }

    /**
     * Gives the directory just added to {@code rows} at key {@code k} (its DIR and DIR_HEADER the last two rows) the
     * fingerprint of its row in {@code full} and the same newest time (of its whole subtree, excluded entries
     * included: never later than the kept ones').
     */
    private static void carryFingerprint(SnapshotRows full, SnapshotRows rows, byte[] k) {
        int row = full.search(k);
        int slot = row < 0 ? -1 : full.fingerprintSlot(row);
        if (slot < 0) {
            return;
        }
        rows.addFingerprint(rows.size() - 2, full.fingerprint(slot, 0), full.fingerprint(slot, 1),
                full.fingerprint(slot, 2));
    }

    /** A digest of the exclusion patterns, in order, with their polarity: what a filtered fingerprint is mixed with. */
    private static byte[] patternsDigest(PatternMatcher excludes) {
        java.security.MessageDigest sha = Digest.sha256();
        sha.update("wharf filtered directory v1\0".getBytes(StandardCharsets.UTF_8));
        for (dev.wharf.context.ignore.IgnorePattern p : excludes.patterns()) {
            byte[] text = p.toString().getBytes(StandardCharsets.UTF_8);
            sha.update(java.nio.ByteBuffer.allocate(5).put((byte) (p.exclusion() ? 1 : 0)).putInt(text.length)
                    .array());
            sha.update(text);
        }
        return sha.digest();
    }

    /**
     * Lists a directory of a native scan's rows for {@link ContextWalker}: its children are the rows under its
     * DIR_HEADER, each directory child's subtree skipped with one search. Read-only over immutable rows.
     */
    private static final class RowsLister implements ContextWalker.Lister {
        private static final FileStat[] NONE = new FileStat[0];
        private final SnapshotRows rows;
        /** Set when the walker asked for a directory the scan left unlisted: its hints did not hold. */
        private volatile boolean missed;

        RowsLister(SnapshotRows rows) {
            this.rows = rows;
        }

        @Override
        public FileStat[] list(String rel) {
            byte[] prefix = withNul(rel.isEmpty() ? new byte[0] : key("/" + rel));
            int header = rows.search(prefix);
            if (header < 0) {
                return NONE;
            }
            if (rows.unlisted(header - 1)) { // its DIR row, right before the header
                missed = true;
                return NONE;
            }
            java.util.List<FileStat> out = new java.util.ArrayList<>();
            int r = header + 1;
            while (r < rows.size()) {
                byte[] k = rows.key(r);
                if (!startsWith(k, prefix)) {
                    break;
                }
                out.add(rows.stat(r));
                if (rows.kind(r) == Kind.DIR) {
                    r = rows.ceiling(pastSubtree(k)); // past the child's subtree
                } else {
                    r++;
                }
            }
            return out.toArray(NONE);
        }
    }

    static PatternMatcher none() {
        try {
            return PatternMatcher.of(java.util.List.of());
        } catch (ContextException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link ContextSnapshot#scan(Path, PatternMatcher, ChecksumCache, int, PruneHints)}. */
    static ContextSnapshot scan(Path root, PatternMatcher excludes, ChecksumCache cache, int smallContext,
                                PruneHints givenHints) throws ContextException {
        if (cache.persisted()) {
            if (smallContext > 0 && !cache.knownLarge(root)) {
                try {
                    return new ContextSnapshot(root, walk(root, ContextWalker.javaOnly(none(), excludes,
                            smallContext)));
                } catch (ContextWalker.TooLarge e) {
                    cache.rememberLarge(root); // the next scan goes to the helper at once
                }
            }
            java.util.Optional<dev.wharf.context.walk.NativeTreeScan> scanner = cache.scanner();
            if (scanner.isPresent()) {
                // No walker without exclusions: the rows are the snapshot as scanned, and a fresh JVM would
                // initialize the walker's class (a method reference among its constants) before starting the helper.
                ContextWalker walker = excludes.isEmpty() ? null : new ContextWalker(none(), excludes);
                PruneHints hints = walker == null ? PruneHints.NONE
                        : givenHints != null ? givenHints : walker.pruneHints();
                // The files changed since the cache's last write come with their extended attributes, which their
                // checksum needs: no helper process is started for them afterwards.
                long xattrsSince = cache.xattrsSince();
                java.util.Optional<SnapshotRows> rows = scanner.get().scan(root, hints, xattrsSince,
                        new SnapshotRows.ColumnsReader());
                if (rows.isPresent() && excludes.isEmpty()) {
                    return new ContextSnapshot(root, rows.get());
                }
                if (rows.isPresent()) {
                    // The exclusions go through the walker's own decisions over the scanned rows: the same rows as
                    // its walk of the disk, with fingerprints keyed by the patterns and each directory's path. The
                    // directories the hints left unlisted must be ones the walker drops; if it would enter one,
                    // the tree is scanned again whole.
                    ContextSnapshot s = filtered(root, walker, rows.get(), rows.get().unlistedCount(), excludes);
                    if (s != null) {
                        return s;
                    }
                    rows = hints.isEmpty() ? java.util.Optional.empty()
                            : scanner.get().scan(root, PruneHints.NONE, xattrsSince, new SnapshotRows.ColumnsReader());
                    if (rows.isPresent()) {
                        s = filtered(root, walker, rows.get(), 0, excludes);
                        if (s != null) {
                            return s;
                        }
                    }
                }
            }
        }
        return ContextSnapshot.scan(root, excludes);
    }

    /**
     * The snapshot of a native scan's rows {@code scanned} after {@code walker}'s exclusions, {@code unlisted} the
     * directories the scan left unlisted; null when the walker asked for one of them (its hints did not hold).
     */
    private static ContextSnapshot filtered(Path root, ContextWalker walker, SnapshotRows scanned, int unlisted,
                                            PatternMatcher excludes) throws ContextException {
        RowsLister lister = new RowsLister(scanned);
        SnapshotRows rows = walk(root, walker, lister);
        return lister.missed ? null : new ContextSnapshot(root, rows, unlisted, patternsDigest(excludes));
    }
}
