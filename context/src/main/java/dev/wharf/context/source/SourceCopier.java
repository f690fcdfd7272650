package dev.wharf.context.source;

import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ContextSnapshot;
import dev.wharf.context.checksum.Selector;
import dev.wharf.context.glob.BadPatternException;
import dev.wharf.context.glob.GoPaths;
import dev.wharf.context.ignore.MatchInfo;
import dev.wharf.context.ignore.MatchResult;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One fsutil copier (fsutil/copy/copy.go {@code copier}) over a context snapshot: copies one matched source into
 * the destination, applying include/exclude patterns, creating directories that were entered only for a possible
 * include when something inside them is copied, keeping symlinks as links and turning repeated inodes into hard
 * links. Mutable, one instance per source match.
 */
final class SourceCopier<E extends Exception> {

    private final ContextSnapshot snapshot;
    private final PatternMatcher include;
    private final PatternMatcher exclude;
    private final Placement placement;
    private final SourceResolver.EntrySink<E> sink;
    private final Map<String, String> inodes = new HashMap<>();
    private final List<PendingDir> parentDirs = new ArrayList<>();

    private final class PendingDir {
        final String src;
        final String dst;
        final FileStat stat;
        boolean copied;

        PendingDir(String src, String dst, FileStat stat) {
            this.src = src;
            this.dst = dst;
            this.stat = stat;
        }
    }

    SourceCopier(ContextSnapshot snapshot, Selector sel, Placement placement, SourceResolver.EntrySink<E> sink)
            throws ContextException {
        this.snapshot = snapshot;
        this.include = sel.includePatterns().isEmpty() ? null : PatternMatcher.of(sel.includePatterns());
        this.exclude = sel.excludePatterns().isEmpty() ? null : PatternMatcher.of(sel.excludePatterns());
        this.placement = placement;
        this.sink = sink;
    }

    /** copy.Copy for one source: Copy's destination set-up, prepareTargetDir, then the recursive copy. */
    void copy(String src, String dst) throws ContextException, E {
        // Copy: a destination ending in "/" or "/." is created as a directory first.
        String last = dst.substring(dst.lastIndexOf('/') + 1);
        if (last.isEmpty() || last.equals(".")) {
            placement.mkdirAll(dst);
        } else {
            placement.mkdirAll(GoPaths.dir(dst));
        }
        String destPath = GoPaths.clean(dst);
        String srcFollowed = snapshot.resolve(src, true);
        FileStat fiSrc = snapshot.lstat(srcFollowed).orElseThrow(
                () -> new ContextException("lstat " + GoPaths.clean(src) + ": no such file or directory"));
        Optional<FileType> fiDest = placement.typeOf(destPath);
        boolean srcIsDir = fiSrc.type() == FileType.DIRECTORY;
        if (!srcIsDir && fiDest.isPresent() && fiDest.get() == FileType.DIRECTORY) {
            destPath = join(destPath, GoPaths.base(src));
        }
        copyEntry(srcFollowed, "", destPath, MatchInfo.NONE, MatchInfo.NONE);
    }

    private void copyEntry(String src, String comps, String target, MatchInfo parentInc, MatchInfo parentExc)
            throws ContextException, E {
        boolean included = true;
        boolean excluded = false;
        MatchInfo incInfo = MatchInfo.NONE;
        MatchInfo excInfo = MatchInfo.NONE;
        if (!comps.isEmpty()) {
            try {
                if (include != null) {
                    MatchResult r = include.matchesUsingParentResults(comps, parentInc);
                    incInfo = r.info();
                    included = r.matched();
                }
                if (exclude != null) {
                    MatchResult r = exclude.matchesUsingParentResults(comps, parentExc);
                    excInfo = r.info();
                    if (r.matched()) {
                        included = false;
                        excluded = true;
                    }
                }
            } catch (BadPatternException e) {
                throw new ContextException("failed to match patterns: " + e.getMessage(), e);
            }
            boolean canSkip = !included && include == null && (exclude == null || !exclude.hasExclusions());
            if (canSkip) {
                return;
            }
        }
        FileStat fi = snapshot.lstat(src).orElseThrow(
                () -> new ContextException("failed to stat " + src + ": no such file or directory"));
        boolean isDir = fi.type() == FileType.DIRECTORY;
        if (!included && !isDir) {
            return;
        }
        if (included) {
            createParentDirs(src);
        }
        if (isDir) {
            copyDirectory(src, comps, target, fi, included, excluded, incInfo, excInfo);
            return;
        }
        Optional<String> link = Optional.empty();
        if (fi.type() == FileType.REGULAR && fi.nlink() > 1) {
            String inode = fi.device() + ":" + fi.inode();
            String first = inodes.putIfAbsent(inode, target);
            link = Optional.ofNullable(first);
        }
        emit(src, target, fi, link);
    }

    private void copyDirectory(String src, String comps, String dst, FileStat stat, boolean included,
                               boolean excluded, MatchInfo incInfo, MatchInfo excInfo) throws ContextException, E {
        PendingDir pd = new PendingDir(src, dst, stat);
        if (included) {
            emit(src, dst, stat, Optional.empty());
            pd.copied = true;
        }
        parentDirs.add(pd);
        try {
            if (excluded && (exclude == null || !exclude.hasExclusions())) {
                return;
            }
            for (String name : snapshot.children(src)) {
                copyEntry(join(src, name), comps.isEmpty() ? name : comps + "/" + name, join(dst, name),
                        incInfo, excInfo);
            }
        } finally {
            parentDirs.remove(parentDirs.size() - 1);
        }
    }

    /** Directories entered only for a possible include are created when something inside is copied. */
    private void createParentDirs(String src) throws E {
        for (PendingDir pd : parentDirs) {
            if (!pd.copied && (src + "/").startsWith(pd.src.equals("/") ? "/" : pd.src + "/")) {
                emit(pd.src, pd.dst, pd.stat, Optional.empty());
                pd.copied = true;
            }
        }
    }

    private void emit(String src, String dst, FileStat stat, Optional<String> hardlinkTo) throws E {
        String rel = src.equals("/") ? "" : src.substring(1);
        sink.accept(new FileEntry(rel, dst, stat, hardlinkTo));
        placement.record(dst, stat.type());
    }

    private static String join(String a, String b) {
        return GoPaths.clean(a + "/" + b);
    }
}
