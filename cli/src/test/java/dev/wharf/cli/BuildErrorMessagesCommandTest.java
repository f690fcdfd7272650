package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code wharf build} prints when a build fails on bad input, end to end through the CLI's entry point, against
 * what {@code docker buildx build --progress=plain} (buildx 0.13 on dockerd 26's BuildKit) printed for the same
 * Dockerfile and context: exit code 1, the Dockerfile lines of each place of the error and the {@code ERROR:} line.
 * Where wharf departs from those measurements it says why in the case: the column it adds to the excerpt's header
 * ({@code Dockerfile:2:6}, BuildKit's {@code Dockerfile:2}) with a caret under it, the words of newer BuildKit, and
 * {@code ref context} where BuildKit names a random session ref.
 */
class BuildErrorMessagesCommandTest {
    @TempDir
    Path tmp;

    /** The build's standard error from the first source excerpt or {@code ERROR:} line on: what buildx prints last. */
    private static String report(Outcome outcome) {
        String err = outcome.err();
        List<String> kept = new ArrayList<>();
        boolean started = false;
        for (String line : err.split("\n", -1)) {
            started |= line.startsWith("Dockerfile:") || line.startsWith("ERROR:");
            if (started) {
                kept.add(line);
            }
        }
        return String.join("\n", kept);
    }

    private Outcome build(String dockerfile, String... extra) throws IOException {
        Path context = Files.createTempDirectory(tmp, "ctx");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(List.of("build", "--root", tmp.resolve("store").toString()));
        if (!List.of(extra).contains("--progress")) {
            args.addAll(List.of("--progress", "plain"));
        }
        args.addAll(List.of(extra));
        args.add(context.toString());
        return wharf(args.toArray(String[]::new));
    }

    private void assertFails(String expectedReport, Outcome outcome) {
        assertEquals(1, outcome.exitCode(), outcome.err());
        assertEquals(expectedReport, report(outcome), outcome.err());
        assertFalse(outcome.err().contains("Exception") || outcome.err().contains("\tat "),
                "no stack trace: " + outcome.err());
    }

    @Test
    void unknownInstruction() throws IOException {
        assertFails("""
                Dockerfile:3:1
                --------------------
                   1 |     FROM scratch
                   2 |     COPY a /a
                   3 | >>> FOO bar
                     |     ^
                   4 |     COPY b /b
                   5 |    \s
                --------------------
                ERROR: failed to solve: dockerfile parse error on line 3: unknown instruction: FOO (did you mean FROM?)
                """, build("FROM scratch\nCOPY a /a\nFOO bar\nCOPY b /b\n"));
    }

    @Test
    void copyWithOneArgument() throws IOException {
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM scratch
                   2 | >>> COPY a
                   3 |    \s
                --------------------
                ERROR: failed to solve: dockerfile parse error on line 2: COPY requires at least two arguments, but \
                only one was provided. Destination could not be determined
                """, build("FROM scratch\nCOPY a\n"));
    }

    @Test
    void unknownFlag() throws IOException {
        // BuildKit 0.13 says "unknown flag: foo"; since bflag.go 31a7c177e it names the flag as written.
        assertFails("""
                Dockerfile:2:6
                --------------------
                   1 |     FROM scratch
                   2 | >>> COPY --foo=x a b
                     |          ^
                   3 |    \s
                --------------------
                ERROR: failed to solve: dockerfile parse error on line 2: unknown flag: --foo (did you mean from?)
                """, build("FROM scratch\nCOPY --foo=x a b\n"));
    }

    @Test
    void unknownMountType() throws IOException {
        assertFails("""
                Dockerfile:2:5
                --------------------
                   1 |     FROM scratch
                   2 | >>> RUN --mount=type=bogus true
                     |         ^
                   3 |    \s
                --------------------
                ERROR: failed to solve: unsupported mount type "bogus"
                """, build("FROM scratch\nRUN --mount=type=bogus true\n"));
    }

    @Test
    void unterminatedHeredoc() throws IOException {
        assertFails("""
                Dockerfile:3
                --------------------
                   2 |     COPY a /a
                   3 | >>> RUN <<EOF
                   4 | >>> echo hi
                   5 |    \s
                --------------------
                ERROR: failed to solve: unterminated heredoc
                """, build("FROM scratch\nCOPY a /a\nRUN <<EOF\necho hi\n"));
    }

    @Test
    void parserDirectiveErrors_areLocatedOneLineAbove_asBuildKitDoes() throws IOException {
        // A bad directive on line 1: BuildKit locates it at line 0, and buildx prints the reason alone.
        assertFails("ERROR: failed to solve: invalid escape token 'x' does not match ` or \\\n",
                build("# escape=x\nFROM scratch\n"));
        // A repeated directive on line 2 is marked on line 1.
        assertFails("""
                Dockerfile:1
                --------------------
                   1 | >>> # escape=`
                   2 |     # ESCAPE=\\
                   3 |     FROM scratch
                --------------------
                ERROR: failed to solve: only one escape parser directive can be used
                """, build("# escape=`\n# ESCAPE=\\\nFROM scratch\n"));
    }

    @Test
    void workdirBelowAFile_failsAsBuildKitResolvesThePath() throws IOException {
        // BuildKit's lstat error names its host path (.../merged/f/sub); wharf names the image's path.
        Outcome outcome = build("FROM scratch\nCOPY Dockerfile /f\nWORKDIR /f/sub\n");
        assertFails("""
                Dockerfile:3
                --------------------
                   1 |     FROM scratch
                   2 |     COPY Dockerfile /f
                   3 | >>> WORKDIR /f/sub
                   4 |    \s
                --------------------
                ERROR: failed to solve: lstat /f/sub: not a directory
                """, outcome);
        assertEquals(true, outcome.err().contains("------\n > [2/2] WORKDIR /f/sub:\n------\n"), outcome.err());
    }

    @Test
    void requiredSecretAndSshMounts_thatTheBuildDoesNotGive() throws Exception {
        CliHarness.importBusybox(tmp, tmp.resolve("store"));
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM busybox:latest
                   2 | >>> RUN --mount=type=secret,id=s,required true
                   3 |    \s
                --------------------
                ERROR: failed to solve: secret s: not found
                """, build("FROM busybox:latest\nRUN --mount=type=secret,id=s,required true\n"));
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM busybox:latest
                   2 | >>> RUN --mount=type=ssh,required true
                   3 |    \s
                --------------------
                ERROR: failed to solve: unset ssh forward key default
                """, build("FROM busybox:latest\nRUN --mount=type=ssh,required true\n"));
    }

    @Test
    void fromWithAPlatformContainerdCannotParse() throws IOException {
        assertFails("""
                Dockerfile:1
                --------------------
                   1 | >>> FROM --platform=bogus scratch
                   2 |    \s
                --------------------
                ERROR: failed to solve: failed to parse platform bogus: "bogus": unknown operating system or \
                architecture: invalid argument
                """, build("FROM --platform=bogus scratch\n"));
        assertFails("""
                Dockerfile:1
                --------------------
                   1 | >>> FROM --platform=linux//amd64 scratch
                   2 |    \s
                --------------------
                ERROR: failed to solve: failed to parse platform linux//amd64: "" is an invalid component of \
                "linux//amd64": platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument
                """, build("FROM --platform=linux//amd64 scratch\n"));
    }

    @Test
    void tooLongLine_isMarkedOnTheLineBefore_asBuildKitCountsLines() throws IOException {
        Outcome outcome = build("FROM scratch\nLABEL a=" + "b".repeat(65536) + "\n");
        assertEquals(1, outcome.exitCode(), outcome.err());
        String report = report(outcome);
        assertEquals(true, report.startsWith("Dockerfile:1\n--------------------\n   1 | >>> FROM scratch\n   2 |     "
                + "LABEL a=b"), report.substring(0, Math.min(200, report.length())));
        assertEquals(true, report.endsWith("\nERROR: failed to solve: dockerfile line greater than max allowed size of "
                + "65535\n"), report.substring(Math.max(0, report.length() - 200)));
    }

    @Test
    void emptyDockerfile() throws IOException {
        assertFails("ERROR: failed to solve: the Dockerfile cannot be empty\n", build(""));
    }

    @Test
    void envWithoutValue_exposeOfNoPort_healthcheckWithABadDuration() throws IOException {
        assertFails("""
                Dockerfile:2:5
                --------------------
                   1 |     FROM scratch
                   2 | >>> ENV FOO
                     |         ^
                   3 |    \s
                --------------------
                ERROR: failed to solve: ENV must have two arguments
                """, build("FROM scratch\nENV FOO\n"));
        // BuildKit 0.13's go-connections says "Invalid containerPort"; newer ones lower-case it.
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM scratch
                   2 | >>> EXPOSE abc
                   3 |    \s
                --------------------
                ERROR: failed to solve: invalid containerPort: abc
                """, build("FROM scratch\nEXPOSE abc\n"));
        assertFails("""
                Dockerfile:2:13
                --------------------
                   1 |     FROM scratch
                   2 | >>> HEALTHCHECK --interval=abc CMD true
                     |                 ^
                   3 |    \s
                --------------------
                ERROR: failed to solve: dockerfile parse error on line 2: time: invalid duration "abc"
                """, build("FROM scratch\nHEALTHCHECK --interval=abc CMD true\n"));
    }

    @Test
    void stageCycle_showsEveryCommandOfTheCycle_lastFirst() throws IOException {
        assertFails("""
                Dockerfile:4
                --------------------
                   2 |     COPY --from=b /x /x
                   3 |     FROM scratch AS b
                   4 | >>> COPY --from=a /y /y
                   5 |    \s
                --------------------
                Dockerfile:2
                --------------------
                   1 |     FROM scratch AS a
                   2 | >>> COPY --from=b /x /x
                   3 |     FROM scratch AS b
                   4 |     COPY --from=a /y /y
                --------------------
                ERROR: failed to solve: circular dependency detected on stage: a
                """, build("FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\nCOPY --from=a /y /y\n"));
    }

    @Test
    void undefinedArgAsTheBaseName() throws IOException {
        Outcome outcome = build("ARG BASE\nFROM ${BASE}\n");
        // buildx 0.13 lists no warnings of a failed build; wharf lists the InvalidDefaultArgInFrom check first.
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     ARG BASE
                   2 | >>> FROM ${BASE}
                   3 |    \s
                --------------------
                ERROR: failed to solve: base name (${BASE}) should not be blank
                """, outcome);
    }

    @Test
    void copyOfAMissingSource_andOfOneOutsideTheContext() throws IOException {
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM scratch
                   2 | >>> COPY missing /x
                   3 |    \s
                --------------------
                ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref context: \
                "/missing": not found
                """, build("FROM scratch\nCOPY missing /x\n"));
        // "../x" is cleaned to "/x" inside the context, as in BuildKit.
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM scratch
                   2 | >>> COPY ../x /x
                   3 |    \s
                --------------------
                ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref context: \
                "/x": not found
                """, build("FROM scratch\nCOPY ../x /x\n"));
    }

    @Test
    void missingTargetStage() throws IOException {
        assertFails("ERROR: failed to solve: target stage \"nosuch\" could not be found\n",
                build("FROM scratch AS a\nCOPY a /a\n", "--target", "nosuch"));
    }

    @Test
    void missingDockerfile_failsTheSolve() throws IOException {
        assertFails("ERROR: failed to solve: failed to read dockerfile: open nosuch.Dockerfile: no such file or "
                + "directory\n", build("FROM scratch\n", "-f", tmp.resolve("nosuch.Dockerfile").toString()));
    }

    @Test
    void missingContextDirectory_failsBeforeTheBuild() {
        Path missing = tmp.resolve("no-such-context");
        Outcome outcome = wharf("build", "--root", tmp.resolve("store").toString(), "--progress", "plain",
                missing.toString());
        assertFails("ERROR: unable to prepare context: path \"" + missing + "\" not found\n", outcome);
    }

    @Test
    void anEmptyPlatform_isContainerdsParseError() throws IOException {
        // A trailing comma (a CI variable left empty) or --platform "": buildx fails before it builds.
        String expected = "ERROR: \"\" is an invalid OS component of \"\": OSAndVersion specifier component must "
                + "match \"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.-]*)\\\\))?$\": invalid argument\n";
        assertFails(expected, build("FROM scratch\n", "--platform", "linux/amd64,"));
        assertFails(expected, build("FROM scratch\n", "--platform", ""));
    }

    @Test
    void failingRuns_sayWhichProcessFailedAndItsExitCode() throws Exception {
        Path root = tmp.resolve("store");
        CliHarness.importBusybox(tmp, root);
        Outcome notFound = build("FROM busybox:latest\nRUN nosuchcommand arg\n");
        assertEquals(1, notFound.exitCode(), notFound.err());
        // The step's output, then the lines and the reason, as BuildKit prints them.
        assertEquals("""
                Dockerfile:2
                --------------------
                   1 |     FROM busybox:latest
                   2 | >>> RUN nosuchcommand arg
                   3 |    \s
                --------------------
                ERROR: failed to solve: process "/bin/sh -c nosuchcommand arg" did not complete successfully: exit \
                code: 127
                """, report(notFound), notFound.err());
        assertEquals(true, notFound.err().contains(" > [2/2] RUN nosuchcommand arg:\n")
                && notFound.err().contains("/bin/sh: nosuchcommand: not found\n"), notFound.err());
        // Quiet and rawjson progress show no step output, so buildx prints no output tail either: the lines and
        // the reason alone.
        String reasonAlone = """
                Dockerfile:2
                --------------------
                   1 |     FROM busybox:latest
                   2 | >>> RUN nosuchcommand arg
                   3 |    \s
                --------------------
                ERROR: failed to solve: process "/bin/sh -c nosuchcommand arg" did not complete successfully: exit \
                code: 127
                """;
        Outcome quiet = build("FROM busybox:latest\nRUN nosuchcommand arg\n", "-q", "--progress", "auto");
        assertEquals(1, quiet.exitCode(), quiet.err());
        assertEquals(reasonAlone, quiet.err());
        Outcome json = build("FROM busybox:latest\nRUN nosuchcommand arg\n", "--progress", "rawjson");
        assertEquals(1, json.exitCode(), json.err());
        assertEquals(true, json.err().endsWith("}\n" + reasonAlone), json.err());
        // A shell killed by SIGKILL: the step's shell exits 128+9.
        Outcome killed = build("FROM busybox:latest\nRUN sh -c 'kill -9 $$' && true\n");
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM busybox:latest
                   2 | >>> RUN sh -c 'kill -9 $$' && true
                   3 |    \s
                --------------------
                ERROR: failed to solve: process "/bin/sh -c sh -c 'kill -9 $$' && true" did not complete \
                successfully: exit code: 137
                """, killed);
    }
}
