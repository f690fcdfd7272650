package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: build contexts with a symlink loop, a symlink pointing out of the context, and a named pipe (which blocks
 * whoever opens it for reading). Must hold: copying the whole context finishes (links copied as links, the pipe made
 * anew as a pipe, never opened, as BuildKit's file sync does), a COPY through the loop fails with an error naming the path
 * instead of hanging, and the link out of the context never brings in a host file.
 */
@Tag("reliability")
class HostileContextReliabilityTest {
    @TempDir
    Path dir;
    Path root;
    Path context;

    @BeforeEach
    void hostileContext() throws Exception {
        root = dir.resolve("store");
        CliHarness.importBusybox(dir, root);
        context = Files.createDirectories(dir.resolve("ctx"));
        Files.createSymbolicLink(context.resolve("loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(context.resolve("loop-b"), Path.of("loop-a"));
        Files.createSymbolicLink(context.resolve("out"), Path.of("/etc"));
        Files.writeString(context.resolve("plain"), "plain\n");
        ReliabilityFixture.run("mkfifo", context.resolve("pipe").toString());
    }

    private Outcome build(String dockerfile) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        CompletableFuture<Outcome> built = CompletableFuture.supplyAsync(() -> wharf("build", "--root",
                root.toString(), "-t", "hostile:1", context.toString()));
        // A hang here is the failure under test (a pipe opened for reading); bounded so the suite ends.
        return built.get(300, TimeUnit.SECONDS);
    }

    @Test
    void copyingTheWholeContext_finishes_copyingLinksAsLinks_andThePipeAsAPipe() throws Exception {
        // BuildKit's file sync sends the FIFO and the receiver makes one (fsutil diskwriter.go): never opened.
        Outcome all = build("FROM busybox:latest\nCOPY . /ctx/\n"
                + "RUN test -L /ctx/loop-a && test -L /ctx/out && test -p /ctx/pipe && test -f /ctx/plain\n");
        assertEquals(0, all.exitCode(), all.err());
        Outcome run = wharf("run", "--root", root.toString(), "hostile:1", "sh", "-c",
                "readlink /ctx/loop-a; readlink /ctx/out; ls /ctx/out/ 2>&1 | head -3");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("loop-b\n/etc\n"), run.out());
    }

    @Test
    void copyThroughTheLoop_failsNamingThePath() throws Exception {
        Outcome loop = build("FROM busybox:latest\nCOPY loop-a/file /x\n");
        assertEquals(1, loop.exitCode(), loop.err());
        assertTrue(loop.err().contains("loop-a"), loop.err());
    }
}
