package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BuildKit's internal vertexes in a real build, numbered as BuildKit's plain progress numbers them (measured with
 * dockerd 26): the definition, one metadata load per base image, the .dockerignore, the FROM, the context's
 * transfer before the first step when any step reads it, then the steps; the transfers' byte counts; and a RUN line's time
 * being that of its first byte. Needs root (skips otherwise, except under CI=true).
 */
class InternalVerticesTest {
    @TempDir
    Path temp;

    private final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());

    private static void write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-11-28T22:05:00.123456789Z")));
    }

    private List<String> started() {
        List<String> out = new ArrayList<>();
        synchronized (events) {
            for (BuildEvent e : events) {
                if (e instanceof BuildEvent.StepStarted s) {
                    out.add(s.step() + " " + (s.stage().equals("internal") ? "[internal] " : "") + s.name());
                }
            }
        }
        return out;
    }

    private long transferred(int step) {
        synchronized (events) {
            return events.stream().filter(e -> e instanceof BuildEvent.Transfer t && t.step() == step && t.completed())
                    .mapToLong(e -> ((BuildEvent.Transfer) e).current()).findFirst().orElseThrow();
        }
    }

    @Test
    void aBuild_showsBuildKitsInternalVertexes_inItsOrder_withItsByteCounts() throws Exception {
        HostRequirements.requireRoot();
        Path context = Files.createDirectories(temp.resolve("ctx"));
        // 163 bytes, as the Dockerfile BuildKit showed as "transferring dockerfile: 202B".
        String dockerfile = "FROM busybox:latest\nCOPY a.txt /a.txt\n"
                + "RUN printf 'a'; sleep 1; printf 'b\\n'; echo line2; printf 'x\\ry\\n'; printf 'nonl'\n"
                + "RUN echo err >&2; printf 'tail-no-newline'\n";
        assertEquals(163, dockerfile.length());
        write(context.resolve("Dockerfile"), dockerfile);
        write(context.resolve("a.txt"), "hello\n");
        write(context.resolve("unused.txt"), "not sent: no step reads it\n");
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                    "busybox:latest");
            engine.build(BuildRequest.builder(context).tag("t:latest").listener(events::add).build())
                    .get(5, TimeUnit.MINUTES);
            assertEquals(List.of("1 [internal] load build definition from Dockerfile",
                    "2 [internal] load metadata for docker.io/library/busybox:latest",
                    "3 [internal] load .dockerignore", "4 FROM docker.io/library/busybox:latest",
                    "5 [internal] load build context", "6 COPY a.txt /a.txt",
                    "7 RUN printf 'a'; sleep 1; printf 'b\\n'; echo line2; printf 'x\\ry\\n'; printf 'nonl'",
                    "8 RUN echo err >&2; printf 'tail-no-newline'"), started());
            assertEquals(202, transferred(1));
            assertEquals(2, transferred(3));
            assertEquals(38, transferred(5));
            List<BuildEvent.StepLog> logs;
            synchronized (events) {
                logs = events.stream().filter(e -> e instanceof BuildEvent.StepLog l && l.step() == 7)
                        .map(e -> (BuildEvent.StepLog) e).toList();
            }
            assertEquals(List.of("ab", "line2", "x\ry", "nonl"), logs.stream().map(BuildEvent.StepLog::line).toList());
            // The joined line is stamped when its first part came, before the second's one second of sleep.
            assertTrue(logs.get(1).elapsed().minus(logs.get(0).elapsed()).compareTo(Duration.ofMillis(800)) > 0,
                    logs.toString());

            // A rebuild: the same vertexes, all cached; the unchanged context file costs its stat only.
            events.clear();
            engine.build(BuildRequest.builder(context).tag("t:latest").listener(events::add).build())
                    .get(5, TimeUnit.MINUTES);
            assertEquals(8, started().size(), started().toString());
            assertEquals(202, transferred(1));
            assertEquals(26, transferred(5));
            synchronized (events) {
                for (int step : new int[] {4, 6, 7, 8}) {
                    assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.StepCached c && c.step() == step),
                            "step " + step + " cached: " + events);
                }
            }
        }
    }

    @Test
    void aDockerignoreAndADotSource_sendTheWholeContextButTheIgnored() throws Exception {
        HostRequirements.requireRoot();
        Path context = Files.createDirectories(temp.resolve("ctx2"));
        String dockerfile = "FROM busybox:latest\nCOPY . /ctx\n";
        write(context.resolve("Dockerfile"), dockerfile);
        write(context.resolve(".dockerignore"), "*.log\n");
        write(context.resolve("a.txt"), "hello\n");
        write(context.resolve("big.log"), "ignored\n".repeat(100));
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                    "busybox:latest");
            engine.build(BuildRequest.builder(context).listener(events::add).build()).get(5, TimeUnit.MINUTES);
            long mtime = Instant.parse("2026-11-28T22:05:00.123456789Z").getEpochSecond() * 1_000_000_000L
                    + 123_456_789L;
            // .dockerignore (6B), Dockerfile, a.txt in the walk's byte order; big.log left out.
            long expected = FsutilTransferSize.of(FsutilTransferSize.stat(".dockerignore", 0100644, 0, 0, 6, mtime,
                    ""), 0, true) + FsutilTransferSize.of(FsutilTransferSize.stat("Dockerfile", 0100644, 0, 0,
                    dockerfile.length(), mtime, ""), 1, true) + FsutilTransferSize.of(FsutilTransferSize.stat("a.txt",
                    0100644, 0, 0, 6, mtime, ""), 2, true) + FsutilTransferSize.end();
            assertEquals(expected, transferred(5));
            assertEquals(List.of("1 [internal] load build definition from Dockerfile",
                    "2 [internal] load metadata for docker.io/library/busybox:latest",
                    "3 [internal] load .dockerignore", "4 FROM docker.io/library/busybox:latest",
                    "5 [internal] load build context", "6 COPY . /ctx"), started());
            // The .dockerignore's own transfer: its stat and data, and the FIN.
            assertEquals(FsutilTransferSize.of(FsutilTransferSize.stat(".dockerignore", 0100644, 0, 0, 6, mtime, ""),
                    0, true) + 2, transferred(3));
        }
    }

    @Test
    void theContextsTransfer_comesBeforeTheFirstStep_evenWhenRunStepsPrecedeTheFirstCopy() throws Exception {
        HostRequirements.requireRoot();
        Path context = Files.createDirectories(temp.resolve("ctx4"));
        // The peer (buildx 0.13.1, dockerd 26, --no-cache, every run): #4 [a 1/2] FROM, #5 [internal] load build
        // context, #6 [a 2/2] RUN ..., #7 [b 2/3] RUN ..., ..., the stage that copies from the context last.
        write(context.resolve("Dockerfile"), "FROM busybox:latest AS a\nRUN echo a > /x\n"
                + "FROM a AS b\nRUN echo b > /y\nRUN echo c\nFROM b\nCOPY --from=a /x /x2\nCOPY a.txt /a\n");
        write(context.resolve("a.txt"), "a\n");
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                    "busybox:latest");
            engine.build(BuildRequest.builder(context).listener(events::add).build()).get(5, TimeUnit.MINUTES);
            assertEquals(List.of("1 [internal] load build definition from Dockerfile",
                    "2 [internal] load metadata for docker.io/library/busybox:latest",
                    "3 [internal] load .dockerignore", "4 FROM docker.io/library/busybox:latest",
                    "5 [internal] load build context", "6 RUN echo a > /x", "7 RUN echo b > /y", "8 RUN echo c",
                    "9 COPY --from=a /x /x2", "10 COPY a.txt /a"), started());
            // A leading WORKDIR starts before the transfer (the peer, every uncached run: #5 [2/5] WORKDIR /app,
            // #6 [internal] load build context, #7 [3/5] RUN echo one, #8 [4/5] WORKDIR /app/x, #9 [5/5] COPY a /a).
            events.clear();
            write(context.resolve("Dockerfile"),
                    "FROM busybox:latest\nWORKDIR /app\nRUN echo one\nWORKDIR /app/x\nCOPY a.txt /a\n");
            engine.build(BuildRequest.builder(context).listener(events::add).build()).get(5, TimeUnit.MINUTES);
            assertEquals(List.of("1 [internal] load build definition from Dockerfile",
                    "2 [internal] load metadata for docker.io/library/busybox:latest",
                    "3 [internal] load .dockerignore", "4 FROM docker.io/library/busybox:latest",
                    "5 WORKDIR /app", "6 [internal] load build context", "7 RUN echo one", "8 WORKDIR /app/x",
                    "9 COPY a.txt /a"), started());
            // A build that reads nothing of the context shows no transfer.
            events.clear();
            write(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo none\n");
            engine.build(BuildRequest.builder(context).listener(events::add).build()).get(5, TimeUnit.MINUTES);
            assertTrue(started().stream().noneMatch(s -> s.contains("load build context")), started().toString());
        }
    }

    @Test
    void hereDocumentsToCopyAndShebangScripts_showPreparingInlineDocument_oncePerDistinctFile_beforeTheSteps()
            throws Exception {
        HostRequirements.requireRoot();
        Path context = Files.createDirectories(temp.resolve("ctx3"));
        // dockerd 26 shows two [internal] preparing inline document vertices after the FROM, both DONE on every
        // build: one for the two equal COPY documents (one LLB file), one for the #! script; none for the plain
        // RUN document, which runs as the shell's argument.
        String dockerfile = "FROM busybox:latest\nRUN echo start\nCOPY <<EOF /a\nsame\nEOF\nCOPY <<EOF /b\nsame\nEOF\n"
                + "RUN <<EOF\n#!/bin/sh\necho shebang\nEOF\nRUN <<EOF\necho plain\nEOF\n";
        write(context.resolve("Dockerfile"), dockerfile);
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                    "busybox:latest");
            for (int build = 0; build < 2; build++) {
                events.clear();
                engine.build(BuildRequest.builder(context).listener(events::add).build()).get(5, TimeUnit.MINUTES);
                assertEquals(List.of("1 [internal] load build definition from Dockerfile",
                        "2 [internal] load metadata for docker.io/library/busybox:latest",
                        "3 [internal] load .dockerignore", "4 FROM docker.io/library/busybox:latest",
                        "5 [internal] preparing inline document", "6 [internal] preparing inline document",
                        "7 RUN echo start", "8 COPY <<EOF /a", "9 COPY <<EOF /b", "10 RUN <<EOF (#!/bin/sh...)",
                        "11 RUN <<EOF (echo plain)"), started());
                synchronized (events) {
                    for (int step : new int[] {5, 6}) {
                        assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.StepDone d
                                && d.step() == step), "step " + step + " done: " + events);
                        assertTrue(events.stream().noneMatch(e -> e instanceof BuildEvent.StepCached c
                                && c.step() == step), "step " + step + " not cached: " + events);
                    }
                }
            }
        }
    }

    /**
     * buildx 0.13.1 on the peer: with {@code -f x.Dockerfile} and a non-empty {@code x.Dockerfile.dockerignore}
     * the frontend has its ignore file from the Dockerfile's own source and never loads the context's
     * .dockerignore, so there is no {@code [internal] load .dockerignore} vertex; without it, there is.
     */
    @Test
    void aDockerfilesOwnIgnoreFile_leavesOutTheLoadDockerignoreVertex() throws Exception {
        HostRequirements.requireRoot();
        Path context = Files.createDirectories(temp.resolve("ctx"));
        write(context.resolve("x.Dockerfile"), "FROM busybox:latest\nCOPY . /c\n");
        write(context.resolve(".dockerignore"), "a.txt\n");
        write(context.resolve("a.txt"), "a\n");
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                    "busybox:latest");
            engine.build(BuildRequest.builder(context).dockerfile(context.resolve("x.Dockerfile"))
                    .listener(events::add).build()).get(5, TimeUnit.MINUTES);
            assertTrue(started().contains("3 [internal] load .dockerignore"), started().toString());

            write(context.resolve("x.Dockerfile.dockerignore"), "x.Dockerfile\n");
            events.clear();
            engine.build(BuildRequest.builder(context).dockerfile(context.resolve("x.Dockerfile"))
                    .listener(events::add).build()).get(5, TimeUnit.MINUTES);
            assertEquals(List.of("1 [internal] load build definition from x.Dockerfile",
                    "2 [internal] load metadata for docker.io/library/busybox:latest",
                    "3 FROM docker.io/library/busybox:latest", "4 [internal] load build context",
                    "5 COPY . /c"), started());
        }
    }
}
