package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf import}, {@code build}, {@code images} and {@code run} end to end, on a busybox image made by
 * {@code testdata/examples/busybox-rootfs.sh}. Needs root and busybox; skips without them, except under
 * {@code CI=true}.
 */
class BuildCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int exitCode, String out, String err) {
    }

    private Outcome wharf(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    private String root() {
        return dir.resolve("store").toString();
    }

    private static void require(boolean condition, String reason) {
        if (!condition && "true".equals(System.getenv("CI"))) {
            fail("CI=true and a host requirement is missing: " + reason);
        }
        assumeTrue(condition, "skipped: " + reason);
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
        Outcome imported = wharf("import", "--root", root(), tar.toString(), "busybox:latest");
        assertEquals(0, imported.exitCode(), imported.err());
        assertTrue(imported.out().startsWith("sha256:"), imported.out());
    }

    @Test
    void build_printsPlainProgressAndTheImageIdThenRunsIt() {
        Outcome built = wharf("build", "--root", root(), "-t", "hello", "--progress", "plain",
                Path.of("..", "testdata", "examples", "hello").toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().contains("#1 [base 1/1] FROM busybox:latest"), built.err());
        assertTrue(built.err().contains("#6 [stage-1 5/8] COPY --chmod=0755 hello.sh /app/hello.sh"), built.err());
        assertTrue(built.err().matches("(?s).*#7 DONE \\d+\\.\\ds.*"), built.err());
        String id = built.out().strip();
        assertTrue(id.matches("sha256:[0-9a-f]{64}"), built.out());

        Outcome again = wharf("build", "--root", root(), "-t", "hello", "--progress", "plain",
                Path.of("..", "testdata", "examples", "hello").toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("#7 CACHED"), again.err());
        assertEquals(id, again.out().strip());

        Outcome images = wharf("images", "--root", root());
        assertTrue(images.out().contains("hello:latest"), images.out());

        Outcome run = wharf("run", "--root", root(), "hello");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("Hello from wharf (built on "), run.out());
    }

    @Test
    void explainCache_saysWhichInputChanged() throws IOException {
        Path context = Files.createDirectories(dir.resolve("explain"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nCOPY f /f\n");
        Files.writeString(context.resolve("f"), "one\n");
        assertEquals(0, wharf("build", "--root", root(), context.toString()).exitCode());
        Files.writeString(context.resolve("f"), "two\n");
        Outcome again = wharf("build", "--root", root(), "--explain-cache", context.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("#2 cache miss: "), again.err());
        assertTrue(again.err().toLowerCase(java.util.Locale.ROOT).contains("context"), again.err());
    }

    @Test
    void failingRun_exitsWithOneAndNamesTheStep() throws IOException {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo oops >&2; exit 3\n");
        Outcome built = wharf("build", "--root", root(), context.toString());
        assertEquals(1, built.exitCode(), built.err());
        // The log line's time depends on the machine's load; only its form is checked.
        assertTrue(built.err().matches("(?s).*#2 \\d+\\.\\d{3} oops\n.*"), built.err());
        assertTrue(built.err().contains("ERROR: RUN echo oops >&2; exit 3 failed with exit code 3 at Dockerfile:2"),
                built.err());
    }

    @Test
    void run_passesTheCommandAndItsExitCodeThrough() {
        Outcome run = wharf("run", "--root", root(), "busybox:latest", "sh", "-c", "echo out; echo err >&2; exit 4");
        assertEquals(4, run.exitCode());
        assertEquals(List.of("out"), run.out().lines().toList());
        assertEquals(List.of("err"), run.err().lines().toList());
    }

    @Test
    void labelsMetadataFileAndForeignPlatform() throws IOException {
        Path context = Files.createDirectories(dir.resolve("meta"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nLABEL a=1\n");
        Path metadata = dir.resolve("metadata.json");
        Outcome built = wharf("build", "--root", root(), "--label", "b=2", "-t", "meta:1", "--metadata-file",
                metadata.toString(), context.toString());
        assertEquals(0, built.exitCode(), built.err());
        String json = Files.readString(metadata);
        assertTrue(json.contains("\"containerimage.config.digest\": \"" + built.out().strip() + "\""), json);
        assertTrue(json.contains("\"image.name\": \"meta:1\""), json);
        Outcome foreign = wharf("build", "--root", root(), "--platform", "linux/s390x", context.toString());
        assertEquals(1, foreign.exitCode());
        assertTrue(foreign.err().contains("host's platform only"), foreign.err());
    }

    @Test
    void outputs_writeAnOciLayoutAndARootFilesystem_withoutTagging() throws IOException {
        Path context = Files.createDirectories(dir.resolve("out"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made > /made\n");
        Path oci = dir.resolve("oci");
        Path rootfs = dir.resolve("rootfs");
        Outcome built = wharf("build", "--root", root(), "-t", "exported:1", "-o", "type=oci,dest=" + oci,
                "--output", "type=local,dest=" + rootfs, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertEquals("made\n", Files.readString(rootfs.resolve("made")));
        assertTrue(Files.isSymbolicLink(rootfs.resolve("bin/sh")));
        String index = Files.readString(oci.resolve("index.json"));
        assertTrue(index.contains("\"org.opencontainers.image.ref.name\":\"exported:1\""), index);
        assertTrue(Files.exists(oci.resolve("oci-layout")));
        assertTrue(!wharf("images", "--root", root()).out().contains("exported"), "-o without type=image tags nothing");
        Outcome bad = wharf("build", "--root", root(), "-o", "type=registry", context.toString());
        assertEquals(2, bad.exitCode(), bad.err());
    }

    @Test
    void dockerAndTarOutputs_areReadableByOtherTools() throws Exception {
        require(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is missing; apt-get install skopeo");
        Path context = Files.createDirectories(dir.resolve("archives"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nRUN echo made > /made\n");
        Path docker = dir.resolve("image.tar");
        Path rootfs = dir.resolve("rootfs.tar");
        Outcome built = wharf("build", "--root", root(), "-t", "archived:1", "-o", "type=docker,dest=" + docker,
                "-o", "type=tar,dest=" + rootfs, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        String inspected = command("skopeo", "inspect", "docker-archive:" + docker);
        assertTrue(inspected.contains("\"Os\": \"linux\""), inspected);
        String oci = command("skopeo", "inspect", "oci-archive:" + docker);
        assertTrue(oci.contains("\"Layers\""), oci);
        String listing = command("tar", "-tf", rootfs.toString());
        assertTrue(listing.lines().anyMatch(l -> l.equals("made")), listing);
        assertTrue(listing.lines().anyMatch(l -> l.equals("bin/busybox")), listing);
    }

    private static String command(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", args) + ": " + out);
        return out;
    }

    @Test
    void secretFlag_reachesRunMounts_andBadNetworkIsUsage() throws IOException {
        Path context = Files.createDirectories(dir.resolve("secret"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\n"
                + "RUN --mount=type=secret,id=tok,required test \"$(cat /run/secrets/tok)\" = abc\n");
        Path tok = Files.writeString(dir.resolve("tok"), "abc");
        Outcome built = wharf("build", "--root", root(), "--secret", "id=tok,src=" + tok, context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertEquals(2, wharf("build", "--root", root(), "--secret", "tok", context.toString()).exitCode());
        assertEquals(2, wharf("build", "--root", root(), "--network", "bridge", context.toString()).exitCode());
    }

    @Test
    void badProgressValue_isAUsageError() {
        Outcome built = wharf("build", "--root", root(), "--progress", "fancy", dir.toString());
        assertEquals(2, built.exitCode());
        assertTrue(built.err().contains("--progress"), built.err());
    }
}
