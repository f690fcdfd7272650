package dev.wharf.context.walk;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.ignore.MatchInfo;
import dev.wharf.context.ignore.MatchResult;
import dev.wharf.context.ignore.PatternMatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Walks a context directory in lexical order and reports the entries that survive include and exclude patterns,
 * exactly as BuildKit's file sender does (tonistiigi/fsutil {@code filterFS.Walk}).
 *
 * <p>The rules that matter: an excluded directory is still entered when an exception ({@code !pattern}) could
 * re-include something inside it; an excluded directory is reported only if something inside it is re-included,
 * and then just before that entry; an unreadable directory is fatal unless it is excluded. Symlinks are reported,
 * never followed. Immutable and thread-safe: each {@link #walk} call has its own state.
 */
public final class ContextWalker {

    /** Receives each surviving entry in walk order. */
    @FunctionalInterface
    public interface Visitor {
        void visit(Path file, FileStat stat) throws ContextException;
    }

    private static final Comparator<String> GO_ORDER = ContextWalker::compareUtf8;

    private final PatternMatcher includes;
    private final PatternMatcher excludes;
    /** What the patterns' literal prefixes tell about directories: which to drop unentered, which to prune. */
    private final PatternPrefixes prefixes;
    private final int nativeAfter;
    private final int parallelAfter;
    /** Entries listed beyond which a walk stops with {@link TooLarge}; {@code Integer.MAX_VALUE}: never. */
    private final int maxListed;

    /**
     * Thrown by a walk of a walker made by {@link #javaOnly} when the context has more entries than it was given:
     * the caller scans it another way. Carries no stack trace (it is control flow, not an error).
     */
    public static final class TooLarge extends ContextException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("the context has more entries than this walk looks at", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * @param includes patterns a path must match (an empty matcher means "everything")
     * @param excludes patterns that drop a path (the .dockerignore rules)
     */
    public ContextWalker(PatternMatcher includes, PatternMatcher excludes) {
        this(includes, excludes, NATIVE_AFTER, PARALLEL_AFTER);
    }

    /** With the thresholds of the native and parallel listing given: tests compare both ways on one tree. */
    ContextWalker(PatternMatcher includes, PatternMatcher excludes, int nativeAfter, int parallelAfter) {
        this(includes, excludes, nativeAfter, parallelAfter, Integer.MAX_VALUE);
    }

    private ContextWalker(PatternMatcher includes, PatternMatcher excludes, int nativeAfter, int parallelAfter,
                          int maxListed) {
        this.maxListed = maxListed;
        this.nativeAfter = nativeAfter;
        this.parallelAfter = parallelAfter;
        this.includes = includes.isEmpty() ? null : includes;
        this.excludes = excludes.isEmpty() ? null : excludes;
        this.prefixes = new PatternPrefixes(this.includes, this.excludes);
    }

    /**
     * A walker for a first look at a context that may be small: java.nio only (no native binding is loaded), on the
     * calling thread, and its walks throw {@link TooLarge} before stating a directory that would take the entries
     * listed past {@code maxListed}, so a large context costs it only that many lstat calls.
     */
    public static ContextWalker javaOnly(PatternMatcher includes, PatternMatcher excludes, int maxListed) {
        return new ContextWalker(includes, excludes, Integer.MAX_VALUE, Integer.MAX_VALUE, maxListed);
    }

    /**
     * The directories this walker never enters whatever their contents, as far as they can be told from the patterns
     * alone, for a native scan to leave unlisted: each excluded literal path ({@code node_modules}, {@code .git},
     * {@code target/}) that {@link #walk} would drop, each {@code **}{@code /name} with a literal name, and the
     * literal stems of the {@code !} exceptions, near which the scan prunes nothing. Empty unless this walker drops
     * excluded directories at all (fsutil enters them when an exception has wildcards, and with include patterns).
     * The scan's caller checks each pruned directory against this walker's decisions (a {@link Lister} asked for a
     * directory the scan left unlisted), so a hint that does not hold costs a second scan, never a wrong row.
     */
    public PruneHints pruneHints() {
        return prefixes.pruneHints();
    }

    /**
     * Lists a tree already scanned (a native scan's rows) instead of the file system, so that its entries go through
     * the same include and exclude decisions as a walk of the disk: one implementation of fsutil's rules.
     */
    @FunctionalInterface
    public interface Lister {
        /**
         * The entries of directory {@code rel} (relative to the context root, "" for the root) in byte order of
         * their names, each with its lstat result, whose path is {@code rel/name} ({@code name} for the root).
         */
        FileStat[] list(String rel);
    }

    /** Receives each surviving entry in walk order, without a {@link Path} per entry (the cheaper form). */
    @FunctionalInterface
    public interface StatVisitor {
        void visit(FileStat stat) throws ContextException;
    }

    /**
     * A {@link StatVisitor} of a walk over a {@link Lister} that can take a directory's whole subtree at once: a
     * directory nothing under which the patterns can exclude is reported by {@link #visitSubtree} instead of being
     * listed and each of its entries reported (a native scan's rows are then copied in bulk).
     */
    public interface SubtreeVisitor extends StatVisitor {
        /** Reports directory {@code dir} and every entry under it, all of which survive the patterns. */
        void visitSubtree(FileStat dir) throws ContextException;
    }

    /**
     * The first entries of a walk are listed and stat'ed through java.nio, the rest through the native binding:
     * loading that binding (jnr-ffi generates classes) costs a fresh process more than java.nio spends on a small
     * context, such as a cached CLI rebuild's, while a large context gets one getdents64 per directory and one
     * fstatat per entry relative to its directory.
     */
    private static final int NATIVE_AFTER = 512;

    /** Past this many entries, directories found are listed ahead on the common fork-join pool (all cores). */
    private static final int PARALLEL_AFTER = 2048;

    /** Entries listed ahead but not yet walked, beyond which no more directories are handed to the pool. */
    private static final long LOOKAHEAD = 65_536;

    /** The listing error that stands for {@link TooLarge} (a walk's listings stop there). */
    private static final IOException TOO_LARGE = new IOException("more entries than the walk looks at");

    /** What the walk does with an entry: drop it (and never enter it), skip it but enter it, or report it. */
    private static final byte PRUNE = 0;
    private static final byte SKIP = 1;
    private static final byte REPORT = 2;
    /** Report a directory and its whole subtree at once ({@link SubtreeVisitor}): nothing under it is excluded. */
    private static final byte REPORT_SUBTREE = 3;

    /** The state of one {@link #walk} call shared by the directories it lists (possibly on several threads). */
    private final class Walk {
        final Path root;
        final String rootPrefix;
        final AtomicLong listed = new AtomicLong();
        final AtomicLong ahead = new AtomicLong();
        final boolean multicore = java.lang.Runtime.getRuntime().availableProcessors() > 1;
        /** Where the listings come from instead of the disk, or null. */
        final Lister lister;
        /** Whether whole subtrees go to the visitor at once (a {@link SubtreeVisitor} over a {@link Lister}). */
        final boolean subtrees;
        volatile boolean stopped;
        private volatile NativeDirectories nativeDirs;
        private volatile boolean nativeTried;

        Walk(Path root, Lister lister, boolean subtrees) {
            this.root = root;
            this.lister = lister;
            this.subtrees = lister != null && subtrees;
            String r = root.toString();
            this.rootPrefix = r.endsWith("/") ? r : r + "/";
        }

        NativeDirectories nativeDirs() {
            if (!nativeTried) {
                synchronized (this) {
                    if (!nativeTried) {
                        nativeDirs = NativeDirectories.load();
                        nativeTried = true;
                    }
                }
            }
            return nativeDirs;
        }
    }

    /**
     * One directory the walk enters: its entries, their lstat results, what the patterns decide for each, and the
     * listings of the subdirectories it will enter. Computed once, by the walking thread or ahead of it by a pool
     * thread, whichever claims it first; the walking thread then reads it (the monitor orders the writes).
     */
    private final class Dir extends ClaimedOnce {
        final Walk walk;
        final String rel;
        final String pathWithSep;
        final MatchInfo includeInfo;
        final MatchInfo excludeInfo;
        /** Per entry: its name, or null when its FileStat is there (whose path ends with the name). */
        String[] names;
        /** Per entry: its FileStat, or the exception to throw when the walk reaches it. */
        Object[] stats;
        byte[] decisions;
        Dir[] children;
        IOException listError;

        Dir(Walk walk, String rel, MatchInfo includeInfo, MatchInfo excludeInfo) {
            this.walk = walk;
            this.rel = rel;
            this.pathWithSep = rel.isEmpty() ? "" : rel + "/";
            this.includeInfo = includeInfo;
            this.excludeInfo = excludeInfo;
        }

        @Override
        protected void work() {
            if (!walk.stopped) {
                compute();
            }
        }

        /** Computes this listing here, or waits for the thread that claimed it. */
        void await() throws ContextException {
            await("walking the context");
            if (names == null && listError == null) {
                listError = new IOException("listing of " + rel + " was abandoned");
            }
        }

        private void compute() {
            long before = walk.listed.get();
            NativeDirectories nat = walk.lister == null && before >= nativeAfter ? walk.nativeDirs() : null;
            try {
                if (walk.lister != null) {
                    FileStat[] listed = walk.lister.list(rel);
                    names = new String[listed.length]; // all null: each FileStat's path ends with its name
                    stats = Arrays.copyOf(listed, listed.length, Object[].class); // decide() stores errors
                } else if (nat != null) {
                    NativeDirectories.Listing l = nat.list(walk.rootPrefix + rel, pathWithSep);
                    names = l.names();
                    stats = l.stats();
                } else {
                    names = listChecked(rel.isEmpty() ? walk.root : walk.root.resolve(rel));
                    if (before + names.length > maxListed) {
                        names = null;
                        listError = TOO_LARGE;
                        return;
                    }
                    stats = statAll(walk.root, pathWithSep, names);
                }
            } catch (NoSuchFileException e) {
                names = new String[0];
                stats = new Object[0];
            } catch (IOException e) {
                listError = e;
                return;
            } catch (RuntimeException e) {
                listError = new IOException(e.toString(), e);
                return;
            }
            walk.listed.addAndGet(names.length);
            walk.ahead.addAndGet(names.length);
            decide();
            if (children != null && walk.multicore && walk.listed.get() >= parallelAfter) {
                for (Dir c : children) {
                    if (c != null && walk.ahead.get() < LOOKAHEAD) {
                        ForkJoinPool.commonPool().execute(c);
                    }
                }
            }
        }

        /** Applies the include and exclude patterns to every entry, as the walk used to when reaching each. */
        private void decide() {
            decisions = new byte[names.length];
            for (int i = 0; i < names.length; i++) {
                if (!(stats[i] instanceof FileStat stat)) {
                    continue;
                }
                String entryRel = stat.path();
                boolean isDir = stat.type() == FileType.DIRECTORY;
                MatchInfo inc = MatchInfo.NONE;
                MatchInfo exc = MatchInfo.NONE;
                byte decision = REPORT;
                try {
                    if (includes != null) {
                        MatchResult r = includes.matchesUsingParentResults(entryRel, includeInfo);
                        inc = r.info();
                        if (!r.matched()) {
                            if (isDir && prefixes.prunesUnincluded(entryRel)) {
                                continue; // PRUNE
                            }
                            decision = SKIP;
                        }
                    }
                    if (excludes != null) {
                        MatchResult r = excludes.matchesUsingParentResults(entryRel, excludeInfo);
                        exc = r.info();
                        if (r.matched()) {
                            if (isDir && prefixes.prunesExcluded(entryRel)) {
                                continue; // PRUNE
                            }
                            decision = SKIP;
                        }
                    }
                } catch (BadPatternException e) {
                    stats[i] = new ContextException("failed to match excludepatterns: " + e.getMessage(), e);
                    continue;
                }
                if (isDir && decision == REPORT && walk.subtrees && includes == null
                        && (excludes == null || excludes.matchesNothingUnder(entryRel, exc))) {
                    decisions[i] = REPORT_SUBTREE; // not listed: its subtree is reported as it is
                    continue;
                }
                decisions[i] = decision;
                if (isDir) {
                    if (children == null) {
                        children = new Dir[names.length];
                    }
                    children[i] = new Dir(walk, entryRel, inc, exc);
                }
            }
        }
    }

    /** A directory being walked: its listing, its own entry (null for the root), and the next entry to visit. */
    private static final class Frame {
        final Dir dir;
        final FileStat stat;
        boolean reported;
        int next;

        Frame(Dir dir, FileStat stat) {
            this.dir = dir;
            this.stat = stat;
        }
    }

    /** lstat of every entry of one directory through java.nio (a small context's first entries). */
    private static Object[] statAll(Path root, String prefix, String[] names) {
        Object[] out = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            String rel = prefix + names[i];
            try {
                out[i] = FileStat.readNio(root.resolve(rel), rel);
            } catch (IOException | RuntimeException e) {
                out[i] = e;
            }
        }
        return out;
    }

    /**
     * Walks {@code root} and calls {@code visitor} for each surviving entry with its file.
     *
     * @throws ContextException when a directory cannot be read or a pattern fails to evaluate
     */
    public void walk(Path root, Visitor visitor) throws ContextException {
        walk(root, (StatVisitor) stat -> visitor.visit(root.resolve(stat.path()), stat));
    }

    /**
     * Walks {@code root} and calls {@code visitor} for each surviving entry, in lexical order.
     *
     * @throws ContextException when a directory cannot be read or a pattern fails to evaluate
     */
    public void walk(Path root, StatVisitor visitor) throws ContextException {
        walk(root, null, visitor);
    }

    /**
     * Walks the tree {@code lister} lists (a scan of {@code root} made beforehand) and calls {@code visitor} for
     * each surviving entry, in lexical order: what {@link #walk(Path, StatVisitor)} reports for that tree.
     *
     * @throws ContextException when a pattern fails to evaluate
     */
    public void walk(Path root, Lister lister, StatVisitor visitor) throws ContextException {
        Walk walk = new Walk(root, lister, visitor instanceof SubtreeVisitor);
        try {
            walk(walk, visitor);
        } finally {
            walk.stopped = true; // listings still queued on the pool return at once
        }
    }

    private void walk(Walk walk, StatVisitor visitor) throws ContextException {
        Deque<Frame> stack = new ArrayDeque<>();
        Dir top = new Dir(walk, "", MatchInfo.NONE, MatchInfo.NONE);
        top.await();
        if (top.listError == TOO_LARGE) {
            throw new TooLarge();
        }
        if (top.listError != null) {
            if (top.listError instanceof AccessDeniedException) {
                throw new ContextException("open .: permission denied", top.listError);
            }
            throw new ContextException("open .: " + reason(top.listError), top.listError);
        }
        Frame root = new Frame(top, null);
        root.reported = true;
        stack.push(root);
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            Dir d = frame.dir;
            if (frame.next == d.names.length) {
                stack.pop();
                walk.ahead.addAndGet(-d.names.length);
                continue;
            }
            int index = frame.next++;
            Object result = d.stats[index];
            d.stats[index] = null;
            if (result instanceof NoSuchFileException) {
                continue; // removed while walking: fsutil turns not-exist into SkipDir
            } else if (result instanceof IOException e) {
                throw new ContextException("lstat " + d.pathWithSep + d.names[index] + ": " + reason(e), e);
            } else if (result instanceof ContextException e) {
                throw e;
            } else if (result instanceof RuntimeException e) {
                throw e;
            }
            byte decision = d.decisions[index];
            if (decision == PRUNE) {
                continue;
            }
            FileStat stat = (FileStat) result;
            if (decision == REPORT_SUBTREE) {
                reportParents(stack, visitor);
                ((SubtreeVisitor) visitor).visitSubtree(stat);
                continue;
            }
            boolean skip = decision == SKIP;
            if (!skip) {
                reportParents(stack, visitor);
                visitor.visit(stat);
            }
            Dir child = d.children == null ? null : d.children[index];
            if (child != null) {
                d.children[index] = null; // walked once: let it go when its frame is popped
                child.await();
                if (child.listError == TOO_LARGE) {
                    throw new TooLarge();
                }
                if (child.listError instanceof AccessDeniedException e) {
                    if (skip) {
                        continue; // fsutil: permission errors on a skipped directory are ignored
                    }
                    throw new ContextException("open " + child.rel + ": permission denied", e);
                } else if (child.listError != null) {
                    throw new ContextException("open " + child.rel + ": " + reason(child.listError),
                            child.listError);
                }
                Frame f = new Frame(child, stat);
                f.reported = !skip;
                stack.push(f);
            }
        }
    }

    /** Reports excluded ancestors that were entered only for a possible re-inclusion, outermost first. */
    private static void reportParents(Deque<Frame> stack, StatVisitor visitor) throws ContextException {
        if (stack.peek().reported) {
            return; // the usual case: every ancestor is reported already
        }
        List<Frame> pending = new ArrayList<>();
        for (Frame f : stack) { // innermost first
            if (f.reported) {
                break;
            }
            pending.add(f);
        }
        for (int i = pending.size() - 1; i >= 0; i--) {
            Frame f = pending.get(i);
            visitor.visit(f.stat);
            f.reported = true;
        }
    }

    /** Directory entries sorted like Go's os.ReadDir (byte order of the UTF-8 names). */
    private static String[] listChecked(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        }
        String[] out = names.toArray(new String[0]);
        Arrays.sort(out, GO_ORDER);
        return out;
    }

    /** Orders strings by their UTF-8 bytes, like Go's string comparison. */
    public static int compareUtf8(String a, String b) {
        // Outside surrogate pairs, UTF-16 code unit order is code point order, which is UTF-8 byte order: compare
        // chars without encoding (sorting a directory compares each name log n times).
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
                    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                            b.getBytes(StandardCharsets.UTF_8));
                }
                return x < y ? -1 : 1;
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
