package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build checks at the command line: the end-of-build list docker build prints, {@code --check} as buildx prints
 * {@code --call=check}, and the warnings in rawjson progress. The builds start FROM scratch and run nothing, so
 * they need neither root nor a base image.
 */
class BuildChecksCommandTest {
    @TempDir
    Path dir;

    private Path context(String dockerfile) throws IOException {
        Path ctx = dir.resolve("ctx");
        Files.createDirectories(ctx);
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return ctx;
    }

    private String root() {
        return dir.resolve("store").toString();
    }

    @Test
    void build_listsTheWarningsAtTheEndAsDockerBuildDoes() throws IOException {
        Path ctx = context("FROM scratch as base\nCMD mycommand\n");
        Outcome built = wharf("build", "--root", root(), "--progress", "plain", ctx.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertTrue(built.err().endsWith("\n \u001b[33m2 warnings found (use docker --debug to expand):\n\u001b[0m"
                + " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n"
                + " - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related"
                + " to OS signals (line 2)\n\n"), built.err());
        assertTrue(built.out().startsWith("sha256:"), built.out());
    }

    @Test
    void aFailedBuild_listsItsWarningsToo_beforeTheError() throws IOException {
        // buildx prints the warnings when its printer closes (commands/build.go: progress.WithOnClose(printWarnings)),
        // which a failed build does as well, 0.13.1 as today: after the failed step's output, before the error.
        Path ctx = context("FROM scratch\nCOPY token /\n");
        Files.writeString(ctx.resolve(".dockerignore"), "token\n");
        Files.writeString(ctx.resolve("token"), "hi\n");
        Outcome built = wharf("build", "--root", root(), "--progress", "plain", ctx.toString());
        assertEquals(1, built.exitCode(), built.err());
        String warnings = "\n \u001b[33m1 warning found (use docker --debug to expand):\n\u001b[0m - CopyIgnoredFile: "
                + "Attempting to Copy file \"token\" that is excluded by .dockerignore (line 2)\n\nDockerfile:2\n";
        assertTrue(built.err().contains(" > [1/1] COPY token /:\n------\n" + warnings), built.err());
        assertTrue(built.err().endsWith("ERROR: failed to solve: failed to compute cache key: failed to calculate "
                + "checksum of ref context: \"/token\": not found\n"), built.err());
    }

    @Test
    void build_withErrorTrue_failsWithBuildKitsLintViolation() throws IOException {
        Path ctx = context("# check=error=true\nFROM scratch as base\nCMD [\"x\"]\n");
        Outcome built = wharf("build", "--root", root(), "--progress", "plain", ctx.toString());
        assertEquals(1, built.exitCode(), built.err());
        assertTrue(built.err().contains(" - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 2)\n"),
                built.err());
        assertTrue(built.err().contains("lint violation found for rules: FromAsCasing"), built.err());
        assertTrue(built.err().contains(" >>> FROM scratch as base"), built.err());
    }

    @Test
    void check_printsEachFindingWithItsLinesAndExitsOne() throws IOException {
        Path ctx = context("FROM scratch\nCMD mycommand\n");
        Outcome checked = wharf("build", "--root", root(), "--check", "--progress", "quiet", ctx.toString());
        assertEquals(1, checked.exitCode(), checked.err());
        assertEquals("""
                Check complete, 1 warning has been found!

                WARNING: JSONArgsRecommended - https://docs.docker.com/go/dockerfile/rule/json-args-recommended/
                JSON arguments recommended for CMD to prevent unintended behavior related to OS signals
                Dockerfile:2
                --------------------
                   1 |     FROM scratch
                   2 | >>> CMD mycommand
                   3 |    \s
                --------------------
                """, checked.out());
        assertTrue(Files.notExists(Path.of(root()).resolve("index.json"))
                || checked.out().contains("Check complete"), "a check builds nothing");
    }

    /** {@code --call=check,format=json} of a context holding {@code dockerfile}. */
    private Outcome checkJson(String dockerfile) throws IOException {
        return wharf("build", "--root", root(), "--call=check,format=json", "--progress", "quiet",
                context(dockerfile).toString());
    }

    @Test
    void checkFormatJson_printsBuildKitsLintResults_andExitsOneForAFinding() throws IOException {
        // frontend/subrequests/lint/lint.go LintResults through json.MarshalIndent, printed alone by buildx.
        Outcome checked = checkJson("FROM scratch\nCMD mycommand\n");
        assertEquals(1, checked.exitCode(), checked.err());
        assertEquals("""
                {
                  "warnings": [
                    {
                      "ruleName": "JSONArgsRecommended",
                      "description": "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior \
                related to OS signals",
                      "url": "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
                      "detail": "JSON arguments recommended for CMD to prevent unintended behavior related to OS \
                signals",
                      "location": {
                        "ranges": [
                          {
                            "start": {
                              "line": 2
                            },
                            "end": {
                              "line": 2
                            }
                          }
                        ]
                      }
                    }
                  ],
                  "sources": [
                    {
                      "filename": "Dockerfile",
                      "data": "RlJPTSBzY3JhdGNoCkNNRCBteWNvbW1hbmQK",
                      "language": "Dockerfile"
                    }
                  ]
                }
                """, checked.out());
        Outcome clean = checkJson("FROM scratch\nCMD [\"app\"]\n");
        assertEquals(0, clean.exitCode(), clean.err());
        assertTrue(clean.out().startsWith("{\n  \"warnings\": null,\n  \"sources\": ["), clean.out());
    }

    @Test
    void checkFormatJson_withAnError_printsItAsBuildErrorAndOnStandardError() throws IOException {
        Outcome checked = checkJson("# check=error=true\nFROM scratch as base\nCMD [\"x\"]\n");
        assertEquals(1, checked.exitCode(), checked.err());
        assertTrue(checked.out().contains("""
                  "buildError": {
                    "message": "lint violation found for rules: FromAsCasing",
                    "location": {
                """), checked.out());
        assertTrue(checked.err().startsWith("ERROR: lint violation found for rules: FromAsCasing"), checked.err());
    }

    @Test
    void checkFormatJson_ofAnUnparsableDockerfile_printsTheParseErrorAsBuildError() throws IOException {
        // BuildKit's DockerfileLint puts toDispatchState's error, a parse error too, into the results' buildError;
        // buildx prints those results as for any other error. wharf printed no JSON at all.
        Outcome checked = checkJson("FROM scratch\nFROOM x\n");
        assertEquals(1, checked.exitCode(), checked.err());
        assertTrue(checked.out().startsWith("{\n  \"warnings\": null,\n  \"sources\": ["), checked.out());
        assertTrue(checked.out().contains("""
                  "buildError": {
                    "message": "dockerfile parse error on line 2: unknown instruction: FROOM (did you mean FROM?)",
                    "location": {
                      "ranges": [
                        {
                          "start": {
                            "line": 2
                """), checked.out());
        assertTrue(checked.err().startsWith("ERROR: dockerfile parse error on line 2: unknown instruction: FROOM"),
                checked.err());
    }

    @Test
    void check_ofACleanDockerfile_saysSoAndExitsZero() throws IOException {
        Path ctx = context("FROM scratch\nCMD [\"app\"]\n");
        Outcome checked = wharf("build", "--root", root(), "--check", "--progress", "quiet", ctx.toString());
        assertEquals(0, checked.exitCode(), checked.err());
        assertEquals("Check complete, no warnings found.\n", checked.out());
    }

    @Test
    void check_looksAtStagesTheBuildWouldNotNeed() throws IOException {
        Path ctx = context("FROM scratch AS unused\nENV key value\n\nFROM scratch\nCMD [\"app\"]\n");
        Outcome checked = wharf("build", "--root", root(), "--check", "--progress", "quiet", ctx.toString());
        assertEquals(1, checked.exitCode(), checked.err());
        assertTrue(checked.out().contains("WARNING: LegacyKeyValueFormat - "), checked.out());
    }

    @Test
    void rawjson_carriesACheckAsAVertexWarningWithItsRange() {
        StringWriter text = new StringWriter();
        RawJsonProgress progress = new RawJsonProgress(new PrintWriter(text, true),
                Clock.fixed(Instant.parse("2026-11-28T00:00:00Z"), ZoneOffset.UTC));
        progress.onEvent(new BuildEvent.Warning("MaintainerDeprecated: Maintainer instruction is deprecated in"
                + " favor of using label (line 3)", Optional.of(new BuildEvent.Check("MaintainerDeprecated",
                "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
                "https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/",
                "Maintainer instruction is deprecated in favor of using label", "Dockerfile", 3, 3))));
        String line = text.toString().strip();
        Base64.Encoder b64 = Base64.getEncoder();
        assertEquals("{\"warnings\":[{\"level\":1,\"short\":\"" + b64.encodeToString(("MaintainerDeprecated:"
                + " Maintainer instruction is deprecated in favor of using label (line 3)").getBytes()) + "\","
                + "\"detail\":[\"" + b64.encodeToString(("The MAINTAINER instruction is deprecated, use a label"
                + " instead to define an image author").getBytes()) + "\"],"
                + "\"url\":\"https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/\","
                + "\"sourceInfo\":{\"filename\":\"Dockerfile\",\"language\":\"Dockerfile\"},"
                + "\"range\":[{\"start\":{\"line\":3},\"end\":{\"line\":3}}]}]}", line);
    }

    @Test
    void summary_saysOneWarningInTheSingular() {
        StringWriter text = new StringWriter();
        WarningSummary.print(new PrintWriter(text, true), List.of(
                new dev.wharf.builder.api.BuildEvent.Warning("MaintainerDeprecated: x (line 2)")));
        assertEquals("\n \u001b[33m1 warning found (use docker --debug to expand):\n\u001b[0m"
                + " - MaintainerDeprecated: x (line 2)\n\n", text.toString());
        StringWriter none = new StringWriter();
        WarningSummary.print(new PrintWriter(none, true), List.of());
        assertEquals("", none.toString());
    }

    @Test
    void summary_withDebug_expandsEachCheck_asBuildxDoes() {
        // buildx printWarnings at debug level: the description, "More info: URL", the Dockerfile lines, a blank.
        StringWriter text = new StringWriter();
        dev.wharf.builder.api.BuildEvent.Check check = new dev.wharf.builder.api.BuildEvent.Check(
                "JSONArgsRecommended", "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior "
                + "related to OS signals", "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
                "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
                "Dockerfile", 2, 2);
        WarningSummary.print(new PrintWriter(text, true), List.of(new dev.wharf.builder.api.BuildEvent.Warning(
                "JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS "
                + "signals (line 2)", java.util.Optional.of(check), 1)), true,
                java.util.Optional.of("FROM busybox\nCMD echo hi\n"));
        assertEquals("""

                 \u001b[33m1 warning found:
                \u001b[0m - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior \
                related to OS signals (line 2)
                JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals
                More info: https://docs.docker.com/go/dockerfile/rule/json-args-recommended/
                Dockerfile:2
                --------------------
                   1 |     FROM busybox
                   2 | >>> CMD echo hi
                   3 |    \s
                --------------------

                """, text.toString());
    }
}
