package dev.wharf.context.walk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import dev.wharf.context.ignore.PatternMatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextWalkerTest {

    @TempDir
    Path ctx;

    private void file(String rel) throws IOException {
        Path p = ctx.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, rel);
    }

    private List<String> walk(List<String> excludes) throws Exception {
        return walk(List.of(), excludes);
    }

    private List<String> walk(List<String> includes, List<String> excludes) throws Exception {
        List<String> out = new ArrayList<>();
        new ContextWalker(PatternMatcher.of(includes), PatternMatcher.of(excludes))
                .walk(ctx, (f, s) -> out.add(s.path() + (s.type() == FileType.DIRECTORY ? "/" : "")));
        return out;
    }

    @Test
    void nativeParallelListing_reportsWhatJavaNioReports() throws Exception {
        // Past its thresholds (here 0) a walk lists with getdents64/fstatat and ahead on the pool: same entries, same
        // stats as java.nio's sequential listing (thresholds MAX_VALUE).
        for (int d = 0; d < 12; d++) {
            for (int f = 0; f < 30; f++) {
                file("d" + d + "/sub" + (f % 5) + "/f" + f + (f % 7 == 0 ? ".tmp" : ".txt"));
            }
        }
        file("ünïcode/ß.txt");
        Files.createSymbolicLink(ctx.resolve("d0/link"), Path.of("../d1/sub0"));
        Files.createSymbolicLink(ctx.resolve("dangling"), Path.of("/nowhere/at/all"));
        List<String> excludes = List.of("*.tmp", "d3", "d4/**", "!d4/sub1", "d5/sub2/f1*");
        List<FileStat> nio = new ArrayList<>();
        new ContextWalker(PatternMatcher.of(List.of()), PatternMatcher.of(excludes), Integer.MAX_VALUE,
                Integer.MAX_VALUE).walk(ctx, (ContextWalker.StatVisitor) nio::add);
        List<FileStat> nat = new ArrayList<>();
        new ContextWalker(PatternMatcher.of(List.of()), PatternMatcher.of(excludes), 0, 0)
                .walk(ctx, (ContextWalker.StatVisitor) nat::add);
        assertTrue(nio.size() > 250, "walked " + nio.size());
        assertTrue(nio.stream().anyMatch(s -> s.path().equals("d0/link") && s.linkTarget().equals("../d1/sub0")));
        assertTrue(nio.stream().noneMatch(s -> s.path().startsWith("d3")));
        assertEquals(nio, nat);
    }

    @Test
    void noPatterns_listsEverythingInGoOrder() throws Exception {
        file("a/b");
        file("a.txt");
        file("a-b");
        file("B");
        // Go sorts by bytes: "B" < "a" < "a-b" < "a.txt"; a directory's content comes right after it.
        assertEquals(List.of("B", "a/", "a/b", "a-b", "a.txt"), walk(List.of()));
    }

    @Test
    void largeDirectories_statedInParallel_reportEveryEntryInGoOrderWithItsOwnStat() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            file("big/f" + i);
        }
        file("big/sub/x");
        Files.createSymbolicLink(ctx.resolve("big/dangling"), ctx.resolve("nowhere"));
        Files.createSymbolicLink(ctx.resolve("big/up"), Path.of(".."));
        List<String> seen = new ArrayList<>();
        new ContextWalker(PatternMatcher.of(List.of()), PatternMatcher.of(List.of("big/f1*", "!big/f10")))
                .walk(ctx, (f, s) -> {
                    try {
                        assertEquals(FileStat.readNio(f, s.path()), s, s.path());
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    seen.add(s.path());
                });
        expected.add("big");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            if (!("f" + i).startsWith("f1") || i == 10) {
                names.add("f" + i);
            }
        }
        names.addAll(List.of("dangling", "sub", "up"));
        names.sort(ContextWalker::compareUtf8);
        for (String n : names) {
            expected.add("big/" + n);
            if (n.equals("sub")) {
                expected.add("big/sub/x");
            }
        }
        assertEquals(expected, seen);
    }

    @Test
    void excludedDirectory_isNotEntered() throws Exception {
        file("docs/a.md");
        file("docs/sub/b.md");
        file("src/main.c");
        assertEquals(List.of("src/", "src/main.c"), walk(List.of("docs")));
    }

    @Test
    void exceptionInsideExcludedDirectory_reincludesTheFileAndReportsItsParentFirst() throws Exception {
        file("docs/README.md");
        file("docs/other.md");
        file("src/main.c");
        assertEquals(List.of("docs/", "docs/README.md", "src/", "src/main.c"),
                walk(List.of("docs", "!docs/README.md")));
    }

    @Test
    void deepReinclusion_reportsEveryExcludedAncestor() throws Exception {
        file("a/b/c/keep.txt");
        file("a/b/c/drop.txt");
        file("a/x.txt");
        assertEquals(List.of("a/", "a/b/", "a/b/c/", "a/b/c/keep.txt"), walk(List.of("a", "!a/b/c/keep.txt")));
    }

    @Test
    void wildcardException_makesTheWalkerEnterExcludedDirectories() throws Exception {
        file("x/keep.txt");
        file("x/drop.bin");
        file("y/z/keep.txt");
        assertEquals(List.of("x/", "x/keep.txt", "y/", "y/z/", "y/z/keep.txt"),
                walk(List.of("*", "!**/*.txt")));
    }

    @Test
    void everythingExcludedButOneDirectory() throws Exception {
        file("app/main.go");
        file("app/vendor/dep.go");
        file("node_modules/x.js");
        file("README.md");
        assertEquals(List.of("app/", "app/main.go", "app/vendor/", "app/vendor/dep.go"),
                walk(List.of("**", "!app")));
    }

    @Test
    void exceptionElsewhere_doesNotOpenAnExcludedDirectory() throws Exception {
        file("foo/secret/x");
        file("bar");
        Path secret = ctx.resolve("foo/secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        try {
            // "foo" is excluded and no prefix-only exception points inside it: not entered, so even an
            // unreadable directory below it is harmless.
            assertEquals(List.of("bar"), walk(List.of("foo", "!bar")));
        } finally {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void unreadableDirectory_failsUnlessExcluded() throws Exception {
        file("locked/x");
        file("ok");
        Path locked = ctx.resolve("locked");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            boolean readable = Files.isReadable(locked); // root can read it anyway
            if (readable) {
                assertEquals(List.of("locked/", "locked/x", "ok"), walk(List.of()));
            } else {
                ContextException e = assertThrows(ContextException.class, () -> walk(List.of()));
                assertEquals("open locked: permission denied", e.getMessage());
            }
            // Excluded but entered for a wildcard exception: a permission error is ignored.
            assertEquals(List.of("ok"), walk(List.of("locked", "!*/nothing*")));
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void symlinksAreReportedNotFollowed() throws Exception {
        file("target/inner");
        Files.createSymbolicLink(ctx.resolve("link"), ctx.resolve("target"));
        Files.createSymbolicLink(ctx.resolve("outside"), Path.of("/etc"));
        List<FileStat> stats = new ArrayList<>();
        new ContextWalker(PatternMatcher.of(List.of()), PatternMatcher.of(List.of()))
                .walk(ctx, (f, s) -> stats.add(s));
        assertEquals(List.of("link", "outside", "target", "target/inner"),
                stats.stream().map(FileStat::path).toList());
        assertEquals(FileType.SYMLINK, stats.get(0).type());
        assertEquals("/etc", stats.get(1).linkTarget());
    }

    @Test
    void dockerfileAndDockerignoreListedInTheIgnoreFile_areExcludedFromTheWalk() throws Exception {
        file("Dockerfile");
        file(".dockerignore");
        file("app.py");
        assertEquals(List.of("app.py"), walk(List.of("Dockerfile", ".dockerignore")));
    }

    @Test
    void includePatterns_restrictTheWalkAndSkipUnrelatedDirectories() throws Exception {
        file("src/a.c");
        file("src/b.h");
        file("doc/x");
        assertEquals(List.of("src/", "src/a.c"), walk(List.of("src/*.c"), List.of()));
        assertEquals(List.of("src/", "src/a.c", "src/b.h"), walk(List.of("src"), List.of()));
    }

    @Test
    void fifosAreListed() throws Exception {
        file("x");
        Process p = new ProcessBuilder("mkfifo", ctx.resolve("pipe").toString()).start();
        assertEquals(0, p.waitFor());
        List<FileStat> stats = new ArrayList<>();
        new ContextWalker(PatternMatcher.of(List.of()), PatternMatcher.of(List.of()))
                .walk(ctx, (f, s) -> stats.add(s));
        assertTrue(stats.stream().anyMatch(s -> s.path().equals("pipe") && s.type() == FileType.FIFO));
    }

    private static PruneHints hints(List<String> includes, List<String> excludes) throws ContextException {
        return new ContextWalker(PatternMatcher.of(includes), PatternMatcher.of(excludes)).pruneHints();
    }

    @Test
    void pruneHints_nameTheExcludedDirectoriesTheWalkNeverEnters() throws Exception {
        assertEquals(new PruneHints(List.of("node_modules", ".git", "target", "web/dist"), List.of("node_modules"),
                List.of()), hints(List.of(), List.of("node_modules", ".git", "target/", "**/node_modules", "*.log",
                "web/dist", "**/*.tmp")));
        // An exception reaching into one keeps it walked; the stems go to the scan, which spares the paths near them.
        assertEquals(new PruneHints(List.of("node_modules"), List.of("target"), List.of("a/b/c", "x")),
                hints(List.of(), List.of("node_modules", "a", "**/target", "!a/b/c", "!x/**")));
        // Re-included by a later exception: not pruned.
        assertEquals(new PruneHints(List.of(), List.of(), List.of("a")), hints(List.of(), List.of("a", "!a")));
    }

    @Test
    void pruneHints_areNone_whereTheWalkEntersExcludedDirectories() throws Exception {
        assertTrue(hints(List.of(), List.of("node_modules", "!*.js")).isEmpty(), "an exception with a wildcard");
        assertTrue(hints(List.of("src"), List.of("node_modules")).isEmpty(), "include patterns");
        assertTrue(hints(List.of(), List.of()).isEmpty());
        assertTrue(hints(List.of(), List.of("*", "node_*", "../x", "**/a/b")).isEmpty(), "no literal directory");
    }
}
