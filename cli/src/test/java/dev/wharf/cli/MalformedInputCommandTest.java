package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the CLI's entry point: malformed Dockerfiles and .dockerignore files (inputs of the kinds the
 * grammar, planner and context fuzz tests generate) end a build with exit code 1 and one clean {@code ERROR:} message
 * naming the file and line, never a stack trace.
 */
class MalformedInputCommandTest {
    @TempDir
    Path tmp;

    @Test
    void malformedDockerfiles_failTheBuildWithALocatedErrorAndNoStackTrace() throws IOException {
        List<String> inputs = List.of(
                "FROM scratch\nRUN --mount=type=cache,uid=x true\n",
                "FROM scratch\u0000\nCOPY --chmod=99999 a /b\n",
                "FROM scratch\nENV A=${B\n",
                "FROM scratch\nCOPY --from=${A:- / /\n",
                "FROM scratch\nHEALTHCHECK --interval=-1s CMD true\n",
                "FROM scratch\nEXPOSE 99999999/tcp\n",
                "FROM scratch\nRUN [\"a\" \\\n" + " \\\n".repeat(5000) + "\n",
                "FROM scratch\nSTOPSIGNAL SIGFOO\nUSER \u00ff\u00fe\n");
        for (String text : inputs) {
            Path context = Files.createTempDirectory(tmp, "ctx");
            // ISO-8859-1: each char one byte, so \u00ff\u00fe is invalid UTF-8 in the file
            Files.write(context.resolve("Dockerfile"), text.getBytes(StandardCharsets.ISO_8859_1));
            Outcome outcome = wharf("build", "--root", tmp.resolve("store").toString(), "--progress", "plain",
                    context.toString());
            String shown = text.length() > 80 ? text.substring(0, 80) : text;
            assertNotEquals(0, outcome.exitCode(), shown + "\n" + outcome.err());
            assertTrue(outcome.err().contains("ERROR:") && outcome.err().contains("Dockerfile:"),
                    shown + "\n" + outcome.err());
            assertFalse(outcome.err().contains("Exception") || outcome.err().contains("\tat "),
                    "no stack trace: " + outcome.err());
        }
    }

    /**
     * Found by this test: the engine read the file with {@code Files.readString}, so a byte that is not UTF-8 failed
     * the build with "failed to read dockerfile: Input length = 1 ... give its path with -f", as if it were missing,
     * where BuildKit parses whatever bytes the file has (and {@code wharf parse} and {@code -f -} already did).
     */
    @Test
    void aDockerfileWithInvalidUtf8_isParsed_andItsErrorShowsTheSourceLine() throws IOException {
        Path context = Files.createDirectory(tmp.resolve("ctx"));
        Files.write(context.resolve("Dockerfile"),
                "FROM scratch\nLABEL a=\u00ff\u00fe\nSTOPSIGNAL SIGFOO\n".getBytes(StandardCharsets.ISO_8859_1));
        Outcome outcome = wharf("build", "--root", tmp.resolve("store").toString(), "--progress", "plain",
                context.toString());
        assertNotEquals(0, outcome.exitCode(), outcome.err());
        assertFalse(outcome.err().contains("failed to read dockerfile"), outcome.err());
        assertTrue(outcome.err().contains("Dockerfile:3") && outcome.err().contains(">>> STOPSIGNAL SIGFOO")
                && outcome.err().endsWith("ERROR: failed to solve: invalid signal: SIGFOO\n"), outcome.err());
    }

    @Test
    void aMalformedDockerignorePattern_failsTheBuildWithAPlainError() throws IOException {
        Path context = Files.createDirectory(tmp.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
        Files.writeString(context.resolve(".dockerignore"), "ok\n[\n");
        Files.writeString(context.resolve("file"), "x");
        Outcome outcome = wharf("build", "--root", tmp.resolve("store").toString(), "--progress", "plain",
                context.toString());
        assertNotEquals(0, outcome.exitCode(), outcome.err());
        assertTrue(outcome.err().contains("ERROR:"), outcome.err());
        assertFalse(outcome.err().contains("Exception") || outcome.err().contains("\tat "),
                "no stack trace: " + outcome.err());
    }
}
