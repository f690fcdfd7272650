package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a RUN mount's {@code source=} shows of a cache, and what a mount of a stage's files keeps of them. Every
 * expected listing is the peer's (dockerd 26, BuildKit 0.13) for the same Dockerfile: a cache's source is a path of
 * the one cache of its id (of its id and {@code from=} state), never another cache; a missing one fails the step;
 * a file is mounted as a file; hard links of a stage stay links in a writable bind and in a cache started from it.
 */
class RunMountSourcesTest {
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
    void cacheSourceWithoutFrom_isThatPathOfTheSameCache() throws Exception {
        engine.build(context, """
                FROM busybox:latest
                RUN --mount=type=cache,id=c,target=/y mkdir -p /y/sub && echo top > /y/top && echo s > /y/sub/in
                RUN --mount=type=cache,id=c,source=sub,target=/x ls -A /x > /one; echo hi > /x/f
                RUN --mount=type=cache,id=c,source=/sub/,target=/x,uid=7,mode=0700 ls -A /x > /two; stat -c %u /x >> /two
                RUN --mount=type=cache,id=c,target=/y find /y | sort > /three
                """);
        assertEquals(List.of("in", "f", "in", "0", "/y", "/y/sub", "/y/sub/f", "/y/sub/in", "/y/top"),
                engine.run("cat", "/one", "/two", "/three"));
    }

    @Test
    void cacheSourceWithoutFrom_missingFromTheCache_failsTheStepAsItsProcess() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> engine.build(context, """
                FROM busybox:latest
                RUN --mount=type=cache,id=empty,source=sub,target=/x true
                """));
        BuildFailedException failure = assertInstanceOf(BuildFailedException.class, e.getCause());
        // BuildKit: process "/bin/sh -c true" did not complete successfully: open /var/lib/.../sub: no such file ...
        assertTrue(failure.reason().startsWith("process \"/bin/sh -c true\" did not complete successfully: open /"),
                failure.reason());
        assertTrue(failure.reason().endsWith("/sub: no such file or directory"), failure.reason());
    }

    @Test
    void cacheFromAStage_isOneCacheForEverySource_andAnotherForAnotherFrom() throws Exception {
        engine.build(context, """
                FROM busybox:latest AS src
                RUN mkdir -p /d/a /d/b && echo A > /d/a/f && echo B > /d/b/f && echo F > /d/file && ln /d/a/f /d/a/g
                FROM busybox:latest AS other
                RUN mkdir -p /d/a && echo OTHER > /d/a/f
                FROM busybox:latest
                RUN --mount=type=cache,id=s,from=src,source=/d/file,target=/x/file cat /x/file > /one; echo X > /x/file
                RUN --mount=type=cache,id=s,from=src,source=/d/a,target=/x stat -c '%n %h' /x/f /x/g > /two; \\
                    echo new > /x/new
                RUN --mount=type=cache,id=s,from=src,target=/x cat /x/d/file /x/d/a/new /x/d/b/f > /three
                RUN --mount=type=cache,id=s,from=other,source=/d/a,target=/x ls -A /x > /four; cat /x/f >> /four
                RUN --mount=type=cache,id=s,target=/x ls -A /x > /five
                """);
        assertEquals(List.of("F", "/x/f 2", "/x/g 2", "X", "new", "B", "f", "OTHER"),
                engine.run("cat", "/one", "/two", "/three", "/four", "/five"));
    }

    @Test
    void writableBindOfAStage_keepsItsHardLinksAndFifos() throws Exception {
        engine.build(context, """
                FROM busybox:latest AS src
                RUN mkdir -p /d/s && echo A > /d/f && ln /d/f /d/g && ln /d/f /d/s/h && chown 12:34 /d/g \\
                    && mkfifo -m 0640 /d/p
                FROM busybox:latest
                RUN --mount=type=bind,from=src,source=/d,target=/d,rw stat -c '%n %h %u:%g' /d/f /d/g /d/s/h > /seen; \\
                    [ "$(stat -c %i /d/f)" = "$(stat -c %i /d/s/h)" ] && echo same-inode >> /seen; touch /d/new; \\
                    stat -c '%n %F %a' /d/p >> /seen
                RUN --mount=type=bind,from=src,source=/d,target=/d test ! -e /d/new && echo discarded >> /seen
                RUN --mount=type=cache,id=p,from=src,source=/d,target=/c stat -c '%n %h %F' /c/g /c/p >> /seen
                """);
        // A FIFO was opened to be copied, and the step hung on it.
        assertEquals(List.of("/d/f 3 12:34", "/d/g 3 12:34", "/d/s/h 3 12:34", "same-inode", "/d/p fifo 640",
                "discarded", "/c/g 3 regular file", "/c/p 1 fifo"), engine.run("cat", "/seen"));
    }
}
