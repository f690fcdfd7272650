package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support: runs {@code wharf} in this JVM ({@link #wharf}) or in a child JVM ({@link #start}), on a store with
 * the offline busybox base image of {@code testdata/examples/busybox-rootfs.sh}.
 */
final class CliHarness {
    /** What one in-process run printed and returned. */
    record Outcome(int exitCode, String out, String err) {
    }

    private CliHarness() {
    }

    static Outcome wharf(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** {@link #wharf}, failing the test with both outputs unless it exits 0. */
    static Outcome ok(String... args) {
        Outcome outcome = wharf(args);
        assertEquals(0, outcome.exitCode(), () -> String.join(" ", args) + "\nout: " + outcome.out() + "\nerr: "
                + outcome.err());
        return outcome;
    }

    /** Starts {@code wharf args...} in a child JVM on this test's class path, output to {@code log}. */
    static Process start(Path log, String... args) throws IOException {
        return processBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** A child JVM's {@code wharf args...} on this test's class path, its streams left to the caller. */
    static ProcessBuilder processBuilder(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    static void require(boolean condition, String reason) {
        if (!condition && "true".equals(System.getenv("CI"))) {
            fail("CI=true and a host requirement is missing: " + reason);
        }
        assumeTrue(condition, "skipped: " + reason);
    }

    /** Requires root and busybox, then imports {@code busybox:latest} into the store at {@code root}. */
    static void importBusybox(Path work, Path root) throws IOException, InterruptedException {
        require("root".equals(System.getProperty("user.name")), "wharf build needs root for RUN");
        require(Files.isExecutable(Path.of("/usr/bin/busybox")) || Files.isExecutable(Path.of("/bin/busybox")),
                "busybox is missing; apt-get install busybox-static");
        Path tar = work.resolve("busybox.tar");
        if (!Files.exists(tar)) {
            Process p = new ProcessBuilder(Path.of("..", "testdata", "examples", "busybox-rootfs.sh").toString(),
                    tar.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        }
        Outcome imported = wharf("import", "--root", root.toString(), tar.toString(), "busybox:latest");
        assertEquals(0, imported.exitCode(), imported.err());
    }
}
