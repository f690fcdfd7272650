package dev.wharf.context.walk;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.ignore.IgnorePattern;
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
import java.util.stream.IntStream;

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

    /** fsutil's {@code patternChars}: a pattern with none of these (after a trailing /* or /**) is a plain prefix. */
    private static final String PATTERN_CHARS = "*[]?^\\";

    private static final Comparator<String> GO_ORDER = ContextWalker::compareUtf8;

    private final PatternMatcher includes;
    private final PatternMatcher excludes;
    private final boolean onlyPrefixIncludes;
    private final boolean onlyPrefixExcludeExceptions;

    /**
     * @param includes patterns a path must match (an empty matcher means "everything")
     * @param excludes patterns that drop a path (the .dockerignore rules)
     */
    public ContextWalker(PatternMatcher includes, PatternMatcher excludes) {
        this.includes = includes.isEmpty() ? null : includes;
        this.excludes = excludes.isEmpty() ? null : excludes;
        this.onlyPrefixIncludes = this.includes == null || onlyPrefixes(this.includes, false);
        this.onlyPrefixExcludeExceptions = this.excludes == null || onlyPrefixes(this.excludes, true);
    }

    private static boolean onlyPrefixes(PatternMatcher m, boolean exclusions) {
        for (IgnorePattern p : m.patterns()) {
            if (p.exclusion() == exclusions && containsAny(withoutTrailingGlob(p), PATTERN_CHARS)) {
                return false;
            }
        }
        return true;
    }

    /** One directory on the current path from the root, with what its children need to know. */
    private static final class Visited {
        final Path file;
        final FileStat stat;
        final String pathWithSep;
        MatchInfo includeInfo = MatchInfo.NONE;
        MatchInfo excludeInfo = MatchInfo.NONE;
        boolean reported;

        Visited(Path file, FileStat stat) {
            this.file = file;
            this.stat = stat;
            this.pathWithSep = stat.path() + "/";
        }
    }

    /** A directory whose entries are being walked, with their lstat results (a FileStat or an IOException). */
    private static final class Frame {
        final Visited dir;
        final String[] names;
        final Object[] stats;
        int next;

        Frame(Path root, Visited dir, String[] names, boolean nativeStat) {
            this.dir = dir;
            this.names = names;
            this.stats = statAll(root, dir == null ? "" : dir.pathWithSep, names, nativeStat);
        }
    }

    /** Directories with fewer entries are stat'ed on the walking thread: forking costs more than it saves. */
    private static final int PARALLEL_STAT_MIN = 32;

    /**
     * The first entries of a walk are stat'ed through java.nio, the rest through the native binding: loading that
     * binding (jnr-ffi generates classes) costs a fresh process more than java.nio spends on a small context, such
     * as a cached CLI rebuild's, while a large context still gets the one-syscall stat.
     */
    private static final int NATIVE_STAT_AFTER = 512;

    /**
     * lstat of every entry of one directory, in parallel on the common fork-join pool (bounded by the core count)
     * when there are many: per-entry metadata is what a context walk spends its time on. Each result is the
     * {@link FileStat} or the {@link IOException} that the walk reports when it reaches the entry, so errors and
     * their order are as if each entry were stat'ed when visited.
     */
    private static Object[] statAll(Path root, String prefix, String[] names, boolean nativeStat) {
        Object[] out = new Object[names.length];
        IntStream range = IntStream.range(0, names.length);
        (names.length >= PARALLEL_STAT_MIN ? range.parallel() : range).forEach(i -> {
            String rel = prefix + names[i];
            try {
                Path file = root.resolve(rel);
                out[i] = nativeStat ? FileStat.read(file, rel) : FileStat.readNio(file, rel);
            } catch (IOException | RuntimeException e) {
                out[i] = e;
            }
        });
        return out;
    }

    /**
     * Walks {@code root} and calls {@code visitor} for each surviving entry.
     *
     * @throws ContextException when a directory cannot be read or a pattern fails to evaluate
     */
    public void walk(Path root, Visitor visitor) throws ContextException {
        Deque<Frame> stack = new ArrayDeque<>();
        String[] top = list(root, "");
        long listed = top.length;
        stack.push(new Frame(root, null, top, false));
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (frame.next == frame.names.length) {
                stack.pop();
                continue;
            }
            int index = frame.next++;
            String name = frame.names[index];
            String rel = frame.dir == null ? name : frame.dir.pathWithSep + name;
            Path file = root.resolve(rel);
            Object result = frame.stats[index];
            frame.stats[index] = null;
            if (result instanceof NoSuchFileException) {
                continue; // removed while walking: fsutil turns not-exist into SkipDir
            } else if (result instanceof IOException e) {
                throw new ContextException("lstat " + rel + ": " + reason(e), e);
            } else if (result instanceof RuntimeException e) {
                throw e;
            }
            FileStat stat = (FileStat) result;
            Visited parent = frame.dir;
            boolean isDir = stat.type() == FileType.DIRECTORY;
            Visited dir = isDir ? new Visited(file, stat) : null;
            boolean skip = false;
            try {
                if (includes != null) {
                    MatchResult r = includes.matchesUsingParentResults(rel,
                            parent == null ? MatchInfo.NONE : parent.includeInfo);
                    if (isDir) {
                        dir.includeInfo = r.info();
                    }
                    if (!r.matched()) {
                        if (isDir && onlyPrefixIncludes && !prefixCouldMatchInside(includes, rel, false)) {
                            continue;
                        }
                        skip = true;
                    }
                }
                if (excludes != null) {
                    MatchResult r = excludes.matchesUsingParentResults(rel,
                            parent == null ? MatchInfo.NONE : parent.excludeInfo);
                    if (isDir) {
                        dir.excludeInfo = r.info();
                    }
                    if (r.matched()) {
                        if (isDir && onlyPrefixExcludeExceptions
                                && (!excludes.hasExclusions() || !prefixCouldMatchInside(excludes, rel, true))) {
                            continue;
                        }
                        skip = true;
                    }
                }
            } catch (BadPatternException e) {
                throw new ContextException("failed to match excludepatterns: " + e.getMessage(), e);
            }
            if (!skip) {
                reportParents(stack, visitor);
                visitor.visit(file, stat);
                if (isDir) {
                    dir.reported = true;
                }
            }
            if (isDir) {
                String[] children;
                try {
                    children = listChecked(file, rel);
                } catch (AccessDeniedException e) {
                    if (skip) {
                        continue; // fsutil: permission errors on a skipped directory are ignored
                    }
                    throw new ContextException("open " + rel + ": permission denied", e);
                }
                stack.push(new Frame(root, dir, children, listed >= NATIVE_STAT_AFTER));
                listed += children.length;
            }
        }
    }

    /** Reports excluded ancestors that were entered only for a possible re-inclusion, outermost first. */
    private static void reportParents(Deque<Frame> stack, Visitor visitor) throws ContextException {
        List<Visited> pending = new ArrayList<>();
        for (Frame f : stack) { // innermost first
            if (f.dir == null || f.dir.reported) {
                break;
            }
            pending.add(f.dir);
        }
        for (int i = pending.size() - 1; i >= 0; i--) {
            Visited v = pending.get(i);
            visitor.visit(v.file, v.stat);
            v.reported = true;
        }
    }

    /** fsutil's skip-dir check: does some pattern of the given polarity start with {@code dir/}? */
    private static boolean prefixCouldMatchInside(PatternMatcher m, String dir, boolean exclusions) {
        String dirSlash = dir + "/";
        for (IgnorePattern p : m.patterns()) {
            if (p.exclusion() != exclusions) {
                continue;
            }
            if ((withoutTrailingGlob(p) + "/").startsWith(dirSlash)) {
                return true;
            }
        }
        return false;
    }

    private static String withoutTrailingGlob(IgnorePattern p) {
        String s = p.toString();
        if (s.endsWith("/**")) {
            s = s.substring(0, s.length() - 3);
        }
        if (s.endsWith("/*")) {
            s = s.substring(0, s.length() - 2);
        }
        return s;
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static String[] list(Path dir, String rel) throws ContextException {
        try {
            return listChecked(dir, rel);
        } catch (AccessDeniedException e) {
            throw new ContextException("open " + (rel.isEmpty() ? "." : rel) + ": permission denied", e);
        }
    }

    /** Directory entries sorted like Go's os.ReadDir (byte order of the UTF-8 names). */
    private static String[] listChecked(Path dir, String rel) throws AccessDeniedException, ContextException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        } catch (AccessDeniedException e) {
            throw e;
        } catch (NoSuchFileException e) {
            return new String[0];
        } catch (IOException e) {
            throw new ContextException("open " + (rel.isEmpty() ? "." : rel) + ": " + reason(e), e);
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
