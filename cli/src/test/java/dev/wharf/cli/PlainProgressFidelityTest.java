package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf build --progress=plain} against what {@code docker build --progress=plain} printed for the same
 * Dockerfile and context (dockerd 26's BuildKit, files owned by root, 0644), with timings and the image ID
 * normalized: BuildKit's internal vertexes and their numbering, the transfers' byte counts, a RUN's output joined
 * into lines stamped with their first byte's time, the exporter's lines, and the same for a cached rebuild. Needs
 * root and busybox; skips without them, except under {@code CI=true}.
 */
class PlainProgressFidelityTest {
    /**
     * 163 bytes: BuildKit showed "transferring dockerfile: 202B" for it. The sleep between the last RUN's two
     * streams: which pipe is read first is a race (in BuildKit too), and with the streams joined into one line
     * buffer "tail" could come first and take "err" after it (seen once in CI).
     */
    private static final String DOCKERFILE = "FROM busybox:latest\nCOPY a.txt /a.txt\n"
            + "RUN printf 'a'; sleep 1; printf 'b\\n'; echo line2; printf 'x\\ry\\n'; printf 'nonl'\n"
            + "RUN echo err >&2; sleep 0.5; printf 'tail'\n";

    @TempDir
    Path dir;

    private static void require(boolean condition, String reason) {
        if (!condition && "true".equals(System.getenv("CI"))) {
            fail("CI=true and a host requirement is missing: " + reason);
        }
        assumeTrue(condition, "skipped: " + reason);
    }

    private String root() {
        return dir.resolve("store").toString();
    }

    @BeforeEach
    void importBusybox() throws IOException, InterruptedException {
        require("root".equals(System.getProperty("user.name")), "wharf build needs root for RUN");
        require(Files.isExecutable(Path.of("/usr/bin/busybox")) || Files.isExecutable(Path.of("/bin/busybox")),
                "busybox is missing; apt-get install busybox-static");
        Path tar = dir.resolve("busybox.tar");
        Process p = new ProcessBuilder(Path.of("..", "testdata", "examples", "busybox-rootfs.sh").toString(),
                tar.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        assertEquals(0, wharf("import", "--root", root(), tar.toString(), "busybox:latest").exitCode());
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-11-28T22:05:00.123456789Z")));
    }

    /**
     * Timings as {@code X.Xs} and {@code T} (a log line's), the image ID as {@code ID}; a status's time (printed
     * when it took over 0.01s, by BuildKit as by wharf) left out.
     */
    private static String normalized(String err) {
        return err.replaceAll("(?m)^(#\\d+ [^\\n]*?) \\d+\\.\\ds done$", "$1 done")
                .replaceAll("DONE \\d+\\.\\ds", "DONE X.Xs").replaceAll("(?m)^(#\\d+) \\d+\\.\\d{1,3} ", "$1 T ")
                .replaceAll("sha256:[0-9a-f]{64}", "ID").replaceAll("exporting layer [0-9.]+[kM]?B / [0-9.]+[kM]?B done",
                        "exporting layer SIZE done");
    }

    @Test
    void aBuildAndItsCachedRebuild_printWhatBuildKitPrints() throws IOException {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        assertEquals(163, DOCKERFILE.length());
        write(context.resolve("Dockerfile"), DOCKERFILE);
        write(context.resolve("a.txt"), "hello\n");
        Outcome built = wharf("build", "--root", root(), "--progress=plain", "-t", "fidelity", context.toString());
        assertEquals(0, built.exitCode(), built.err());
        // BuildKit's lines (its 20.10 client adds "#N sha256:..." digest lines, which buildx no longer prints) and
        // wharf's "exporting layer" lines, which say what each step wrote.
        assertEquals("""
                #1 [internal] load build definition from Dockerfile
                #1 transferring dockerfile: 202B done
                #1 DONE X.Xs

                #2 [internal] load metadata for docker.io/library/busybox:latest
                #2 DONE X.Xs

                #3 [internal] load .dockerignore
                #3 transferring context: 2B done
                #3 DONE X.Xs

                #4 [1/4] FROM docker.io/library/busybox:latest
                #4 CACHED

                #5 [internal] load build context
                #5 transferring context: 38B done
                #5 DONE X.Xs

                #6 [2/4] COPY a.txt /a.txt
                #6 exporting layer SIZE done
                #6 DONE X.Xs

                #7 [3/4] RUN printf 'a'; sleep 1; printf 'b\\n'; echo line2; printf 'x\\ry\\n'; printf 'nonl'
                #7 T ab
                #7 T line2
                #7 T x\ry
                #7 T nonl
                #7 exporting layer SIZE done
                #7 DONE X.Xs

                #8 [4/4] RUN echo err >&2; sleep 0.5; printf 'tail'
                #8 T err
                #8 T tail
                #8 exporting layer SIZE done
                #8 DONE X.Xs

                #9 exporting to image
                #9 exporting layers done
                #9 writing image ID done
                #9 naming to docker.io/library/fidelity done
                #9 DONE X.Xs
                """, normalized(built.err()));
        // "ab" is stamped with the time of its "a", a second before "line2" (BuildKit: "#5 0.109 ab", "#5 1.128 line2").
        Matcher ab = Pattern.compile("#7 (\\d+\\.\\d{3}) ab\n#7 (\\d+\\.\\d{3}) line2\n").matcher(built.err());
        assertTrue(ab.find(), built.err());
        assertTrue(Double.parseDouble(ab.group(2)) - Double.parseDouble(ab.group(1)) > 0.8, built.err());

        Outcome again = wharf("build", "--root", root(), "--progress=plain", "-t", "fidelity", context.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertEquals("""
                #1 [internal] load build definition from Dockerfile
                #1 transferring dockerfile: 202B done
                #1 DONE X.Xs

                #2 [internal] load metadata for docker.io/library/busybox:latest
                #2 DONE X.Xs

                #3 [internal] load .dockerignore
                #3 transferring context: 2B done
                #3 DONE X.Xs

                #4 [1/4] FROM docker.io/library/busybox:latest
                #4 CACHED

                #5 [internal] load build context
                #5 transferring context: 26B done
                #5 DONE X.Xs

                #6 [2/4] COPY a.txt /a.txt
                #6 CACHED

                #7 [3/4] RUN printf 'a'; sleep 1; printf 'b\\n'; echo line2; printf 'x\\ry\\n'; printf 'nonl'
                #7 CACHED

                #8 [4/4] RUN echo err >&2; sleep 0.5; printf 'tail'
                #8 CACHED

                #9 exporting to image
                #9 exporting layers done
                #9 writing image ID done
                #9 naming to docker.io/library/fidelity done
                #9 DONE X.Xs
                """, normalized(again.err()));
    }

    @Test
    void aFailingRun_endsWithBuildKitsErrorLine_andRawjsonCarriesTheSameVertexes() throws IOException {
        Path context = Files.createDirectories(dir.resolve("fail"));
        write(context.resolve("Dockerfile"), "FROM busybox:latest\nCOPY a.txt /\nRUN printf 'half'; exit 3\n");
        write(context.resolve("a.txt"), "hello\n");
        Outcome failed = wharf("build", "--root", root(), "--progress=plain", context.toString());
        assertEquals(1, failed.exitCode(), failed.err());
        assertTrue(normalized(failed.err()).contains("""

                #7 [3/3] RUN printf 'half'; exit 3
                #7 T half
                #7 ERROR: process "/bin/sh -c printf 'half'; exit 3" did not complete successfully: exit code: 3
                ------
                 > [3/3] RUN printf 'half'; exit 3:
                """), failed.err());

        Outcome json = wharf("build", "--root", root(), "--progress=rawjson", context.toString());
        assertEquals(1, json.exitCode(), json.err());
        for (String name : new String[] {"[internal] load build definition from Dockerfile",
                "[internal] load metadata for docker.io/library/busybox:latest", "[internal] load .dockerignore",
                "[internal] load build context", "[1/3] FROM docker.io/library/busybox:latest"}) {
            assertTrue(json.err().contains("\"name\":\"" + name + "\""), name + " in " + json.err());
        }
        assertTrue(json.err().contains("{\"id\":\"transferring context:\""), json.err());
        assertTrue(json.err().contains("\"current\":26,"), json.err());
    }

    /**
     * BuildKit's display keeps one partial line per vertex, not per stream: dockerd 26 printed "#4 0.079 ab" and
     * "#4 1.082 c" for this RUN (the sleeps keep the two pipes' writes apart, whose order is a race otherwise, in
     * BuildKit too). Its raw log data are the bytes as written, so the last line has no newline.
     */
    @Test
    void aLineBegunOnStdout_isEndedOnStderr_andRawjsonSendsTheLastLineWithoutNewline() throws IOException {
        Path context = Files.createDirectories(dir.resolve("streams"));
        write(context.resolve("Dockerfile"),
                "FROM busybox:latest\nRUN printf a; sleep 0.5; echo b >&2; sleep 0.5; printf c\n");
        Outcome plain = wharf("build", "--root", root(), "--progress=plain", context.toString());
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(normalized(plain.err()).contains("""
                #5 [2/2] RUN printf a; sleep 0.5; echo b >&2; sleep 0.5; printf c
                #5 T ab
                #5 T c
                #5 exporting layer SIZE done
                #5 DONE X.Xs
                """), plain.err());

        Outcome json = wharf("build", "--root", root(), "--progress=rawjson", "--no-cache", context.toString());
        assertEquals(0, json.exitCode(), json.err());
        List<String> logs = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\"logs\":\\[\\{\"vertex\":\"[^\"]+\",\"stream\":(\\d),\"data\":\"([^\"]*)\"")
                .matcher(json.err());
        while (m.find()) {
            logs.add(m.group(1) + ":" + new String(Base64.getDecoder().decode(m.group(2)), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("1:ab\n", "1:c"), logs, json.err());
    }
}
