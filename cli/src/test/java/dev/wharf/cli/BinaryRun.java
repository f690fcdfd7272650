package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** One run of the wharf executable for {@link CliHarness}: its exit code and both outputs, as an in-process run. */
final class BinaryRun {
    /** Longer than any single command of the suite; a hung binary fails its test instead of the whole run. */
    private static final long TIMEOUT_MINUTES = 15;

    private BinaryRun() {
    }

    static CliHarness.Outcome run(ProcessBuilder builder, byte[] stdin) {
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("wharf-binary-", ".out");
            err = Files.createTempFile("wharf-binary-", ".err");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            // From a file, not a pipe this thread writes: a command that stops reading cannot hang the suite past
            // the timeout. Without input, /dev/null: in process the commands see the test JVM's standard input,
            // which is never a terminal or data.
            in = stdin == null ? null : Files.write(Files.createTempFile("wharf-binary-", ".in"), stdin);
            builder.redirectInput(in == null ? Path.of("/dev/null").toFile() : in.toFile());
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail(builder.command() + " ran longer than " + TIMEOUT_MINUTES + " minutes\nout: " + read(out)
                        + "\nerr: " + read(err));
            }
            return new CliHarness.Outcome(process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            delete(out);
            delete(err);
            delete(in);
        }
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void delete(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // A temporary file of the test JVM: left for the OS, the outcome is what matters.
        }
    }
}
