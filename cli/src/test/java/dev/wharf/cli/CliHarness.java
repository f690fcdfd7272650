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
 *
 * <p>With the system property {@code wharf.cli.binary} (the cli module's {@code native} profile sets it to the
 * native image), every command of these tests runs that executable instead, as a child process: the same
 * assertions then check the shipped binary, which shares no code path with the JVM it was built from but the
 * sources (reflection metadata, JNI, resources and the stand-in libraries are only exercised there).
 */
final class CliHarness {
    /** What one in-process run printed and returned. */
    record Outcome(int exitCode, String out, String err) {
    }

    private CliHarness() {
    }

    /** The executable the commands run as, or null to run them in this JVM. */
    private static final Path BINARY = binary();

    private static Path binary() {
        String property = System.getProperty("wharf.cli.binary", "");
        if (property.isEmpty()) {
            return null;
        }
        Path binary = Path.of(property).toAbsolutePath();
        // A missing binary must fail, not quietly make the second run a JVM one.
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("wharf.cli.binary=" + property + " is not an executable file");
        }
        return binary;
    }

    /** Whether the commands run a native executable rather than this JVM's classes. */
    static boolean runsBinary() {
        return BINARY != null;
    }

    /** The native executable the commands run as ({@link #runsBinary}), its libraries beside it. */
    static Path binaryPath() {
        if (BINARY == null) {
            throw new IllegalStateException("the commands run in this JVM");
        }
        return BINARY;
    }

    /** The command that starts wharf in a child process: the binary, or this test's JVM with its class path. */
    static List<String> command() {
        if (BINARY != null) {
            return new ArrayList<>(List.of(BINARY.toString()));
        }
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
    }

    static Outcome wharf(String... args) {
        return wharfWithStdin(null, args);
    }

    /** {@link #wharf} with {@code stdin} as standard input (null: this JVM's, or nothing for a binary). */
    static Outcome wharfWithStdin(byte[] stdin, String... args) {
        if (BINARY != null) {
            return BinaryRun.run(processBuilder(args), stdin);
        }
        if (stdin == null) {
            return inProcess(args);
        }
        java.io.InputStream saved = System.in;
        System.setIn(new java.io.ByteArrayInputStream(stdin));
        try {
            return inProcess(args);
        } finally {
            System.setIn(saved);
        }
    }

    private static Outcome inProcess(String... args) {
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

    /** A child JVM's (or the binary's) {@code wharf args...}, its streams left to the caller. */
    static ProcessBuilder processBuilder(String... args) {
        List<String> command = command();
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * Makes the command of {@code builder} ({@link #processBuilder}) keep its temporary files in {@code dir}: the
     * JVM's {@code java.io.tmpdir}, or {@code TMPDIR} for the native image, which takes no {@code -D} options.
     */
    static void useTemporaryDirectory(ProcessBuilder builder, Path dir) {
        if (BINARY != null) {
            builder.environment().put("TMPDIR", dir.toString());
        } else {
            builder.command().add(1, "-Djava.io.tmpdir=" + dir);
        }
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
