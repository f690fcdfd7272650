package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code COPY --exclude} and {@code COPY --parents}, which the differential peer's BuildKit 0.13 cannot build: the
 * scenarios of BuildKit's own integration tests (frontend/dockerfile/exclude_patterns_test.go,
 * dockerfile_parents_test.go) and the rules of fsutil's copier they rest on, built by wharf and checked by running the
 * image. Exclude patterns match paths relative to each copied source, so they never drop a source itself (a file
 * named on the line, or a wildcard's match); a directory excluded with a {@code !} exception below it is still
 * walked and made, with its own mode, for what the exception keeps.
 */
class CopyParentsAndExcludeTest {
    @TempDir
    Path temp;

    BusyboxEngine engine;
    Path context;

    @BeforeEach
    void setUp() throws Exception {
        engine = BusyboxEngine.create(temp);
        context = Files.createDirectories(temp.resolve("ctx"));
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void excludePatterns_matchBelowEachSource_withDoubleStarsAndExceptions() throws Exception {
        file("dir1/file-101.png", "2");
        file("dir1/file-102.txt", "3");
        file("dir1/file-103.jpeg", "4");
        file("dir2/file-201.pdf", "6");
        file("dir2/file-202.jpeg", "7");
        file("dir2/file-203.png", "8");
        file("dir3/file-301.mp3", "9");
        file("dir3/file-302.mpeg", "10");
        file("dir4/file-401.txt", "11");
        Files.createSymbolicLink(context.resolve("dir4/file-402.txt"), Path.of("file-401.txt"));
        Files.createSymbolicLink(context.resolve("dir4/file-403.txt"), Path.of("file-404.txt"));
        file("a.txt", "a");
        file("b.txt", "b");
        Files.setPosixFilePermissions(context.resolve("dir1"), PosixFilePermissions.fromString("rwx------"));
        build("""
                FROM busybox:latest
                COPY --exclude=*/*.png --exclude=*/*.jpeg . /1
                COPY --exclude=*/*.pdf --exclude=*/*.txt . /2
                ADD --exclude=*.mp3 dir3/ /3/
                COPY --exclude=*.mp3 --exclude=*.jpeg --exclude=*.png --exclude=*.pdf --exclude=*.txt dir* /4/
                ADD --exclude=*.mp* --exclude=*.jpeg --exclude=*.png --exclude=*.pdf dir* /5
                ADD --exclude=* dir* /6
                COPY --exclude=a.txt *.txt /7/
                COPY --exclude=a.txt a.txt /8/
                COPY --exclude=**/*.png --exclude=!dir2/*.png . /9
                COPY --exclude=dir1 --exclude=!dir1/file-102.txt . /10
                """);
        assertEquals(List.of(
                "/1: a.txt b.txt dir1 dir1/file-102.txt dir2 dir2/file-201.pdf dir3 dir3/file-301.mp3"
                        + " dir3/file-302.mpeg dir4 dir4/file-401.txt dir4/file-402.txt dir4/file-403.txt",
                "/2: a.txt b.txt dir1 dir1/file-101.png dir1/file-103.jpeg dir2 dir2/file-202.jpeg dir2/file-203.png"
                        + " dir3 dir3/file-301.mp3 dir3/file-302.mpeg dir4",
                "/3: file-302.mpeg",
                "/4: file-302.mpeg",
                "/5: file-102.txt file-401.txt file-402.txt file-403.txt",
                "/6:",
                "/7: a.txt b.txt",
                "/8: a.txt",
                "/9: a.txt b.txt dir1 dir1/file-102.txt dir1/file-103.jpeg dir2 dir2/file-201.pdf dir2/file-202.jpeg"
                        + " dir2/file-203.png dir3 dir3/file-301.mp3 dir3/file-302.mpeg dir4 dir4/file-401.txt"
                        + " dir4/file-402.txt dir4/file-403.txt",
                "/10: a.txt b.txt dir1 dir1/file-102.txt dir2 dir2/file-201.pdf dir2/file-202.jpeg dir2/file-203.png"
                        + " dir3 dir3/file-301.mp3 dir3/file-302.mpeg dir4 dir4/file-401.txt dir4/file-402.txt"
                        + " dir4/file-403.txt"),
                run("sh", "-c", "for d in 1 2 3 4 5 6 7 8 9 10; do (cd /$d && echo \"/$d:\" $(find . -mindepth 1"
                        + " | sed 's|^./||' | sort)); done"));
        assertEquals(List.of("file-401.txt file-404.txt 11 10 700"), run("sh", "-c",
                "echo $(readlink /5/file-402.txt) $(readlink /5/file-403.txt) $(cat /1/dir4/file-401.txt)"
                        + " $(cat /4/file-302.mpeg) $(stat -c %a /10/dir1)"));
    }

    @Test
    void parents_keepThePathBelowThePivot_withWildcardsAndDoubleStars() throws Exception {
        file("foo1/foo2/bar", "testing");
        file("foo1/foo2/baz", "testing2");
        build("""
                FROM busybox:latest AS base
                WORKDIR /test
                RUN mkdir -p a/b/c/d/e a/b2/c/d/e a/b/c2/d/e a/b/c2/d/e2 \\
                    && touch a/b/c/d/foo a/b/c/d/e/bay a/b2/c/d/e/bar a/b/c2/d/e/baz a/b/c2/d/e2/baz
                FROM busybox:latest AS copies
                COPY --from=base --parents /test/a/b/./c/d /middle/
                COPY --from=base --parents /test/a/b/c/d/. /end/
                COPY --from=base --parents ./test/a/b/c/d /start/
                COPY --from=base --parents /test/a/./b/./c /double/
                COPY --from=base --parents /test/a/./*/c /wildcard/
                COPY --from=base --parents /test/a/b*/./c/**/e /doublewildcard/
                COPY --from=base --parents /test/a/b/c*/./d/**/baz /test/a/b*/./c/**/bar /doubleinputs/
                COPY --from=base --parents /test/a/b3*/c /nomatch/
                COPY --from=base --parents /test/a/b/./c3* /nomatch-after-pivot/
                COPY --parents foo1/foo2/bar /
                WORKDIR /ctx
                COPY --parents foo1/foo2/ba* .
                """);
        assertEquals(List.of(
                "/middle: c c/d c/d/e c/d/e/bay c/d/foo",
                "/end: test test/a test/a/b test/a/b/c test/a/b/c/d test/a/b/c/d/e test/a/b/c/d/e/bay"
                        + " test/a/b/c/d/foo",
                "/start: test test/a test/a/b test/a/b/c test/a/b/c/d test/a/b/c/d/e test/a/b/c/d/e/bay"
                        + " test/a/b/c/d/foo",
                "/double: b b/c b/c/d b/c/d/e b/c/d/e/bay b/c/d/foo",
                "/wildcard: b b/c b/c/d b/c/d/e b/c/d/e/bay b/c/d/foo b2 b2/c b2/c/d b2/c/d/e b2/c/d/e/bar",
                "/doublewildcard: c c/d c/d/e c/d/e/bar c/d/e/bay",
                "/doubleinputs: c c/d c/d/e c/d/e/bar d d/e d/e/baz d/e2 d/e2/baz",
                "/nomatch:",
                "/nomatch-after-pivot:",
                "/ctx: foo1 foo1/foo2 foo1/foo2/bar foo1/foo2/baz"),
                run("sh", "-c", "for d in middle end start double wildcard doublewildcard doubleinputs nomatch"
                        + " nomatch-after-pivot ctx; do (cd /$d && echo \"/$d:\" $(find . -mindepth 1"
                        + " | sed 's|^./||' | sort)); done"));
        assertEquals(List.of("testing"), run("cat", "/foo1/foo2/bar"));
    }

    @Test
    void parents_ofAMissingPathWithoutWildcards_failsAsBuildKitsRequiredPath() throws Exception {
        Exception e = assertThrows(Exception.class, () -> build("""
                FROM busybox:latest AS base
                RUN mkdir /test
                FROM busybox:latest
                COPY --from=base --parents /test/nonexistent-file /out/
                """));
        String message = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        assertTrue(
                message.matches("(?s).*failed to calculate checksum of ref.*: \"/test/nonexistent-file\": not found.*"),
                message);
    }

    private void file(String relative, String content) throws Exception {
        Path p = context.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private void build(String dockerfile) throws Exception {
        engine.build(context, dockerfile);
    }

    private List<String> run(String... command) throws Exception {
        return engine.run(command);
    }
}
