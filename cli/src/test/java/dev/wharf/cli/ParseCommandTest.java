package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import dev.wharf.cli.CliHarness.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParseCommandTest {

    @TempDir
    Path dir;

    private Path dockerfile(String text) throws IOException {
        Path file = dir.resolve("Dockerfile");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void dump_printsBuildKitFormat() throws IOException {
        Path file = dockerfile("FROM busybox AS base\nRUN --mount=type=cache,target=/c echo hi\nCMD [\"a\", \"b c\"]\n");
        Outcome outcome = wharf("parse", "--dump", file.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertEquals("(from \"busybox\" \"AS\" \"base\")\n"
                + "(run [\"--mount=type=cache,target=/c\"] \"echo hi\")\n"
                + "(cmd \"a\" \"b c\")\n", outcome.out());
    }

    @Test
    void dumpIsTheDefault() throws IOException {
        Path file = dockerfile("from scratch\n");
        Outcome outcome = wharf("parse", file.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertEquals("(from \"scratch\")\n", outcome.out());
    }

    @Test
    void syntaxError_exitsOneWithLocationAndCaret() throws IOException {
        Path file = dockerfile("FROM scratch\nCMD [\"a\", 1]\n");
        Outcome outcome = wharf("parse", file.toString());
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.err().startsWith(file + ":2:"), outcome.err());
        assertTrue(outcome.err().contains("arrays must be comprised of strings only"), outcome.err());
        assertTrue(outcome.err().contains("CMD [\"a\", 1]"), outcome.err());
        assertTrue(outcome.err().contains("^"), outcome.err());
        assertFalse(outcome.err().contains("at dev.wharf"), "no stack trace: " + outcome.err());
    }

    @Test
    void json_unknownInstruction_isReportedWithLine() throws IOException {
        Path file = dockerfile("FROM scratch\nFOO bar\n");
        Outcome outcome = wharf("parse", "--json", file.toString());
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.err().startsWith(file + ":2:1: unknown instruction: FOO"), outcome.err());
    }

    @Test
    void json_printsTypedInstructionsWithPositions() throws IOException {
        Path file = dockerfile("FROM busybox AS base\nCOPY --chown=1:2 a b /dst/\n");
        Outcome outcome = wharf("parse", "--json", file.toString());
        assertEquals(0, outcome.exitCode(), outcome.err());
        assertTrue(outcome.out().contains("\"stages\""), outcome.out());
        assertTrue(outcome.out().contains("\"line\" : 2"), outcome.out());
        assertTrue(outcome.out().contains("/dst/"), outcome.out());
    }

    @Test
    void missingFile_exitsOneWithPlainMessage() {
        Outcome outcome = wharf("parse", dir.resolve("nope").toString());
        assertEquals(1, outcome.exitCode());
        assertTrue(outcome.err().contains("no such file"), outcome.err());
    }

    @Test
    void usageErrors_exitAsDockersDo() {
        // Too few arguments and an unknown command exit 1, an unknown flag 125, as the docker CLI's do.
        assertEquals(1, wharf("parse").exitCode());
        assertEquals(125, wharf("parse", "--bogus", "x").exitCode());
        assertEquals(2, wharf("parse", "--dump", "--json", "x").exitCode());
        assertEquals(1, wharf("frobnicate").exitCode());
    }

    @Test
    void helpAndVersion_exitZero() {
        Outcome help = wharf("parse", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Examples:"), help.out());
        Outcome version = wharf("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("wharf "), version.out());
    }
}
