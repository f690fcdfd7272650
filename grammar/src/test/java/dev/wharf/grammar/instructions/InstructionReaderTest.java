package dev.wharf.grammar.instructions;

import static dev.wharf.grammar.instructions.Nodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Heredoc;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.Word;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link InstructionReader}: one parser node to one typed instruction, with BuildKit's checks and messages. */
class InstructionReaderTest {

    private static Instruction parse(Node node) throws DockerfileException {
        return InstructionReader.parse(node);
    }

    private static DockerfileException failure(Node node) {
        return assertThrows(DockerfileException.class, () -> InstructionReader.parse(node));
    }

    private static Node flagged(String keyword, List<String> flags, String... args) {
        return node(keyword, flags, List.of(args), false);
    }

    // --- COPY / ADD --------------------------------------------------------------------------------------

    @Test
    void copyKeepsEveryTypedFlagWithItsPosition() throws DockerfileException {
        CopyInstruction copy = (CopyInstruction) parse(flagged("COPY",
                List.of("--from=build", "--chown=1:2", "--chmod=755", "--link", "--parents=true", "--exclude=*.md",
                        "--exclude=tmp"), "a", "b", "/dst/"));
        assertEquals("build", copy.from().orElseThrow().text());
        assertEquals(new Position(1, 6), copy.from().orElseThrow().range().start());
        assertEquals("1:2", copy.chown().orElseThrow().text());
        assertEquals("755", copy.chmod().orElseThrow().text());
        assertTrue(copy.link());
        assertTrue(copy.parents());
        assertEquals(List.of("*.md", "tmp"), copy.excludes().stream().map(Word::text).toList());
        assertEquals("/dst/", copy.files().dest().text());
        assertEquals(List.of("a", "b"), copy.files().sourcePaths().stream().map(Word::text).toList());
        assertEquals("COPY", copy.kind());
        assertEquals("COPY", copy.name());
    }

    @Test
    void copyWithoutFlagsHasDefaults() throws DockerfileException {
        CopyInstruction copy = (CopyInstruction) parse(node("copy", "a", "b"));
        assertEquals(Optional.empty(), copy.from());
        assertFalse(copy.link());
        assertFalse(copy.parents());
        assertEquals(List.of(), copy.excludes());
        assertEquals("copy", copy.name());
    }

    @Test
    void addOnlyFlagsAreRejectedOnCopyAndViceVersa() {
        assertEquals("unknown flag: --checksum",
                failure(flagged("COPY", List.of("--checksum=sha256:x"), "a", "b")).reason());
        assertEquals("unknown flag: --keep-git-dir",
                failure(flagged("COPY", List.of("--keep-git-dir"), "a", "b")).reason());
        assertEquals("unknown flag: --from", failure(flagged("ADD", List.of("--from=x"), "a", "b")).reason());
        assertEquals("unknown flag: --parents", failure(flagged("ADD", List.of("--parents"), "a", "b")).reason());
    }

    @Test
    void addKeepsTriStateBooleans() throws DockerfileException {
        AddInstruction add = (AddInstruction) parse(flagged("ADD",
                List.of("--keep-git-dir", "--unpack=false", "--checksum=sha256:abc", "--link=false"), "u", "/d"));
        assertEquals(Optional.of(true), add.keepGitDir());
        assertEquals(Optional.of(false), add.unpack());
        assertEquals("sha256:abc", add.checksum().orElseThrow().text());
        assertFalse(add.link());
        AddInstruction plain = (AddInstruction) parse(node("ADD", "u", "/d"));
        assertEquals(Optional.empty(), plain.keepGitDir());
        assertEquals(Optional.empty(), plain.unpack());
    }

    @Test
    void copyHeredocSourcesAreChompedAndMarkedForExpansion() throws DockerfileException {
        Node node = node("COPY", List.of(), List.of("<<-EOF", "<<'RAW'", "x", "/d"), false,
                List.of(new Heredoc("EOF", "\t\tone\n\ttwo\n", true, true, 0),
                        new Heredoc("RAW", "\tkept $X\n", false, false, 0)), List.of());
        CopyInstruction copy = (CopyInstruction) parse(node);
        assertEquals(List.of(new SourceContent("EOF", "one\ntwo\n", true, copy.files().sourceContents().get(0).range()),
                        new SourceContent("RAW", "\tkept $X\n", false, copy.files().sourceContents().get(1).range())),
                copy.files().sourceContents());
        assertEquals(List.of("x"), copy.files().sourcePaths().stream().map(Word::text).toList());
    }

    @Test
    void heredocDestinationIsReportedAtTheDestination() {
        DockerfileException e = failure(node("COPY", "/foo", "<<EOF"));
        assertEquals("COPY cannot accept a heredoc as a destination", e.reason());
        assertEquals(new Position(1, 11), e.range().orElseThrow().start());
    }

    @Test
    void copyNeedsADestination() {
        assertEquals("COPY requires at least two arguments, but only one was provided. Destination could not be "
                + "determined", failure(node("COPY", "a")).reason());
    }

    // --- flags ---------------------------------------------------------------------------------------------

    @Test
    void unknownFlagIsReportedAtTheFlagWithAHint() {
        DockerfileException e = failure(flagged("COPY", List.of("--link", "--chmode=7"), "a", "b"));
        assertEquals("unknown flag: --chmode (did you mean chmod?)", e.reason());
        assertEquals(new SourceRange(new Position(1, 13), new Position(1, 23)), e.range().orElseThrow());
        assertEquals("Dockerfile:1:13: unknown flag: --chmode (did you mean chmod?)", e.getMessage());
    }

    @Test
    void duplicateAndMalformedFlagsUseBuildKitWording() {
        assertEquals("duplicate flag specified: --from",
                failure(flagged("COPY", List.of("--from=a", "--from=b"), "a", "b")).reason());
        assertEquals("missing a value on flag: --from", failure(flagged("COPY", List.of("--from"), "a", "b")).reason());
        assertEquals("missing a value on flag: --link", failure(flagged("COPY", List.of("--link="), "a", "b")).reason());
        assertEquals("expecting boolean value for flag --link, not: yes",
                failure(flagged("COPY", List.of("--link=yes"), "a", "b")).reason());
        assertEquals("arg should start with -- : -x", failure(flagged("COPY", List.of("-x"), "a", "b")).reason());
    }

    @Test
    void boolFlagsAcceptAnyCaseAndDoubleDashEndsFlags() throws DockerfileException {
        assertTrue(((CopyInstruction) parse(flagged("COPY", List.of("--link=TRUE"), "a", "b"))).link());
        CopyInstruction copy = (CopyInstruction) parse(flagged("COPY", List.of("--", "--bogus"), "a", "b"));
        assertFalse(copy.link());
    }

    @Test
    void instructionsWithoutFlagsRejectAny() {
        assertEquals("unknown flag: --boo", failure(flagged("MAINTAINER", List.of("--boo"), "me")).reason());
        assertEquals("unknown flag: --x", failure(flagged("ENV", List.of("--x"), "a", "b", "=")).reason());
        assertEquals("unknown flag: --x", failure(flagged("CMD", List.of("--x"), "a")).reason());
    }

    @Test
    void stopSignalAndArgIgnoreFlagsLikeBuildKit() throws DockerfileException {
        assertEquals("SIGKILL", ((StopSignalInstruction) parse(flagged("STOPSIGNAL", List.of("--x"), "SIGKILL")))
                .signal().text());
        assertEquals("a", ((ArgInstruction) parse(flagged("ARG", List.of("--x"), "a"))).args().get(0).key());
    }

    // --- FROM ---------------------------------------------------------------------------------------------

    @Test
    void fromLowerCasesAndValidatesTheStageName() throws DockerfileException {
        FromInstruction from = (FromInstruction) parse(node("FROM", List.of("--platform=linux/arm64"),
                List.of("alpine:3", "As", "Build-1.x"), false, List.of(), List.of("build-1.x is the builder")));
        assertEquals("alpine:3", from.image().text());
        assertEquals(Optional.of("build-1.x"), from.stageName());
        assertEquals("Build-1.x", from.nameWord().orElseThrow().text());
        assertEquals("linux/arm64", from.platform().orElseThrow().text());
        assertEquals("is the builder", from.docComment());
    }

    @Test
    void badStageNamesAndArgumentCounts() {
        DockerfileException e = failure(node("FROM", "alpine", "AS", "1st"));
        assertEquals("invalid name for build stage: \"1st\", name can't start with a number or contain symbols",
                e.reason());
        assertEquals(new Position(1, 16), e.range().orElseThrow().start());
        assertEquals("FROM requires either one or three arguments", failure(node("FROM", "a", "b")).reason());
        assertEquals("FROM requires either one or three arguments", failure(node("FROM")).reason());
        assertEquals("FROM requires either one or three arguments", failure(node("FROM", "a", "to", "b")).reason());
    }

    // --- RUN ----------------------------------------------------------------------------------------------

    @Test
    void runKeepsMountsNetworkSecurityAndDevices() throws DockerfileException {
        RunInstruction run = (RunInstruction) parse(flagged("RUN", List.of(
                "--mount=type=cache,target=/root/.cache,sharing=locked,id=pip",
                "--network=none", "--security=insecure", "--device=vendor.com/gpu=0,required"), "pip install x"));
        assertEquals(NetworkMode.NONE, run.network());
        assertEquals(SecurityMode.INSECURE, run.security());
        assertEquals(List.of(new Device("vendor.com/gpu=0", true)), run.devices());
        assertEquals(List.of("mount", "network", "security", "device"), run.flagsUsed());
        Mount mount = run.literalMounts().get(0);
        assertEquals(MountType.CACHE, mount.type());
        assertEquals("/root/.cache", mount.target());
        assertEquals(Optional.of(SharingMode.LOCKED), mount.sharing());
        assertEquals("pip", mount.cacheId());
        assertFalse(mount.readOnly());
        assertEquals(List.of("pip install x"), run.command().values());
        assertTrue(run.command().prependShell());
    }

    @Test
    void runDefaults() throws DockerfileException {
        RunInstruction run = (RunInstruction) parse(node("RUN", List.of(), List.of("echo", "hi"), true));
        assertEquals(NetworkMode.DEFAULT, run.network());
        assertEquals(SecurityMode.SANDBOX, run.security());
        assertEquals(List.of(), run.mountSpecs());
        assertEquals(List.of(), run.flagsUsed());
        assertEquals(List.of("echo", "hi"), run.command().values());
        assertTrue(run.command().json());
    }

    @Test
    void runRejectsBadNetworkSecurityAndMountsAtParseTime() {
        DockerfileException network = failure(flagged("RUN", List.of("--network=bridge"), "x"));
        assertEquals("invalid network mode \"bridge\"", network.reason());
        assertEquals(new Position(1, 5), network.range().orElseThrow().start());
        assertEquals("security \"root\" is not valid", failure(flagged("RUN", List.of("--security=root"), "x")).reason());
        assertEquals("'from' doesn't support variable expansion, define alias stage instead",
                failure(flagged("RUN", List.of("--mount=from=$STAGE,target=/x"), "x")).reason());
        assertEquals("failed to parse csv mounts: parse error on line 1, column 7: bare \" in non-quoted-field",
                failure(flagged("RUN", List.of("--mount=target\"x"), "x")).reason());
        assertEquals("failed to parse csv mounts: EOF", failure(flagged("RUN", List.of("--mount="), "x")).reason());
    }

    @Test
    void runDefersOtherMountChecksUntilExpansion() throws DockerfileException {
        RunInstruction run = (RunInstruction) parse(flagged("RUN", List.of("--mount=type=$T,from=stage$"), "x"));
        DockerfileException e = assertThrows(DockerfileException.class, run::literalMounts);
        assertEquals("unsupported mount type \"$T\"", e.reason());
        assertEquals(new Position(1, 5), e.range().orElseThrow().start());
        Mount expanded = run.mounts(word -> word.replace("$T", "cache")).get(0);
        assertEquals(MountType.CACHE, expanded.type());
        assertEquals("stage$", expanded.from());
    }

    @Test
    void heredocFilesOfRunKeepTheirChompFlag() throws DockerfileException {
        Node node = node("RUN", List.of(), List.of("<<-EOF"), false,
                List.of(new Heredoc("EOF", "\techo\n", true, true, 0)), List.of());
        RunInstruction run = (RunInstruction) parse(node);
        assertEquals(List.of(new InlineFile("EOF", "\techo\n", true)), run.command().files());
        assertEquals(List.of("<<-EOF"), run.command().values());
    }

    // --- HEALTHCHECK --------------------------------------------------------------------------------------

    @Test
    void healthcheckParsesDurationsAndRetries() throws DockerfileException {
        HealthcheckInstruction hc = (HealthcheckInstruction) parse(node("HEALTHCHECK", List.of("--interval=1m30s",
                "--timeout=1.5s", "--start-period=0", "--start-interval=250ms", "--retries=3"),
                List.of("CMD", "curl", "-f", "http://x/"), true));
        Healthcheck h = hc.health();
        assertEquals(List.of("CMD", "curl", "-f", "http://x/"), h.test());
        assertEquals(Duration.ofSeconds(90), h.interval());
        assertEquals(Duration.ofMillis(1500), h.timeout());
        assertEquals(Duration.ZERO, h.startPeriod());
        assertEquals(Duration.ofMillis(250), h.startInterval());
        assertEquals(3, h.retries());
    }

    @Test
    void healthcheckShellFormBecomesCmdShell() throws DockerfileException {
        HealthcheckInstruction hc = (HealthcheckInstruction) parse(node("HEALTHCHECK", "cmd", "curl -f x"));
        assertEquals(List.of("CMD-SHELL", "curl -f x"), hc.health().test());
    }

    @Test
    void healthcheckNoneIgnoresFlagsButNotArguments() throws DockerfileException {
        HealthcheckInstruction none = (HealthcheckInstruction) parse(flagged("HEALTHCHECK", List.of("--bogus"), "none"));
        assertEquals(Healthcheck.none(), none.health());
        assertEquals("HEALTHCHECK NONE takes no arguments", failure(node("HEALTHCHECK", "NONE", "x")).reason());
    }

    @Test
    void healthcheckErrorsUseBuildKitAndGoWording() {
        assertEquals("Interval \"interval\" cannot be less than 1ms",
                failure(flagged("HEALTHCHECK", List.of("--interval=50ns"), "CMD", "x")).reason());
        assertEquals("time: missing unit in duration \"5\"",
                failure(flagged("HEALTHCHECK", List.of("--timeout=5"), "CMD", "x")).reason());
        assertEquals("--retries cannot be negative (-1)",
                failure(flagged("HEALTHCHECK", List.of("--retries=-1"), "CMD", "x")).reason());
        DockerfileException retries = failure(flagged("HEALTHCHECK", List.of("--retries=x"), "CMD", "x"));
        assertEquals("strconv.ParseInt: parsing \"x\": invalid syntax", retries.reason());
        assertEquals(new Position(1, 13), retries.range().orElseThrow().start());
        assertEquals("Unknown type \"FOO\" in HEALTHCHECK (try CMD)", failure(node("HEALTHCHECK", "foo", "x")).reason());
        assertEquals("Missing command after HEALTHCHECK CMD", failure(node("HEALTHCHECK", "CMD")).reason());
        assertEquals("unknown flag: --intervl (did you mean interval?)",
                failure(flagged("HEALTHCHECK", List.of("--intervl=1s"), "CMD", "x")).reason());
    }

    // --- the rest -----------------------------------------------------------------------------------------

    @Test
    void envAndLabelKeepRawPairs() throws DockerfileException {
        EnvInstruction env = (EnvInstruction) parse(node("ENV", "A", "\"x y\"", "=", "OLD", "v w", ""));
        assertEquals("A", env.pairs().get(0).key().text());
        assertEquals("\"x y\"", env.pairs().get(0).value().text());
        assertFalse(env.pairs().get(0).noDelimiter());
        assertTrue(env.pairs().get(1).noDelimiter());
        LabelInstruction label = (LabelInstruction) parse(node("LABEL", "k", "v", "="));
        assertEquals("v", label.labels().get(0).value().text());
        DockerfileException blank = failure(node("LABEL", "k", "v", "=", "", "w", "="));
        assertEquals("LABEL names can not be blank", blank.reason());
        assertEquals(new Position(1, 13), blank.range().orElseThrow().start());
    }

    @Test
    void argSplitsAtTheFirstEquals() throws DockerfileException {
        ArgInstruction arg = (ArgInstruction) parse(node("ARG", List.of(), List.of("A", "B=1=2", "C="), false,
                List.of(), List.of("A is first", "C the third")));
        assertEquals(List.of(new ArgDefinition("A", Optional.empty(), "is first", arg.args().get(0).range()),
                new ArgDefinition("B", Optional.of("1=2"), "", arg.args().get(1).range()),
                new ArgDefinition("C", Optional.of(""), "the third", arg.args().get(2).range())), arg.args());
        assertEquals("ARG names can not be blank", failure(node("ARG", "=x")).reason());
        assertEquals("ARG requires at least one argument", failure(node("ARG")).reason());
    }

    @Test
    void exposeSortsPortsAndVolumeTrims() throws DockerfileException {
        ExposeInstruction expose = (ExposeInstruction) parse(node("EXPOSE", "8080/udp", "443", "80"));
        assertEquals(List.of("443", "80", "8080/udp"), expose.ports().stream().map(Word::text).toList());
        VolumeInstruction volume = (VolumeInstruction) parse(node("VOLUME", List.of(), List.of(" /data ", "/x"), true));
        assertEquals(List.of("/data", "/x"), volume.volumes().stream().map(Word::text).toList());
        assertEquals("VOLUME specified can not be an empty string",
                failure(node("VOLUME", List.of(), List.of(" "), true)).reason());
    }

    @Test
    void shellNeedsJson() throws DockerfileException {
        ShellInstruction shell = (ShellInstruction) parse(node("SHELL", List.of(), List.of("bash", "-c"), true));
        assertEquals(List.of("bash", "-c"), shell.shell().stream().map(Word::text).toList());
        assertEquals("SHELL requires the arguments to be in JSON form", failure(node("SHELL", "bash -c")).reason());
        assertEquals("SHELL requires at least one argument",
                failure(node("SHELL", List.of(), List.of(), true)).reason());
    }

    @Test
    void cmdAndEntrypointKeepTheForm() throws DockerfileException {
        CmdInstruction cmd = (CmdInstruction) parse(node("CMD", List.of(), List.of(), true));
        assertEquals(List.of(), cmd.command().args());
        EntrypointInstruction ep = (EntrypointInstruction) parse(node("ENTRYPOINT", "nginx -g x"));
        assertEquals(List.of("nginx -g x"), ep.command().values());
        assertTrue(ep.command().prependShell());
    }

    @Test
    void singleValueInstructions() throws DockerfileException {
        assertEquals("app", ((UserInstruction) parse(node("USER", "app"))).user().text());
        assertEquals("/src", ((WorkdirInstruction) parse(node("WORKDIR", "/src"))).path().text());
        assertEquals("me", ((MaintainerInstruction) parse(node("MAINTAINER", "me"))).maintainer().text());
        assertEquals("USER requires exactly one argument", failure(node("USER", "a", "b")).reason());
        assertEquals("STOPSIGNAL requires exactly one argument", failure(node("STOPSIGNAL")).reason());
    }

    @Test
    void onbuildKeepsTheTriggerTextAndRejectsForbiddenTriggers() throws DockerfileException {
        OnbuildInstruction onbuild = (OnbuildInstruction) parse(Nodes.onbuild(node("RUN", "echo hi")));
        assertEquals("RUN", onbuild.trigger().text());
        assertEquals("RUN echo hi", onbuild.expression());
        assertEquals("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                failure(Nodes.onbuild(Nodes.onbuild(node("RUN", "x")))).reason());
        assertEquals("FROM isn't allowed as an ONBUILD trigger", failure(Nodes.onbuild(node("from", "x"))).reason());
        assertEquals("MAINTAINER isn't allowed as an ONBUILD trigger",
                failure(Nodes.onbuild(node("Maintainer", "x"))).reason());
        assertEquals("ONBUILD requires at least one argument", failure(node("ONBUILD")).reason());
    }

    @Test
    void onbuildExpressionCarriesHeredocBodies() throws DockerfileException {
        Node run = node("RUN", List.of(), List.of("<<EOF"), false, List.of(new Heredoc("EOF", "a\n", true, false, 0)),
                List.of());
        OnbuildInstruction onbuild = (OnbuildInstruction) parse(Nodes.onbuild(run));
        assertEquals("RUN <<EOF\na\nEOF", onbuild.expression());
    }

    @Test
    void unknownInstructionsAreReportedAtTheKeywordWithAHint() {
        DockerfileException e = failure(node("FORM", "x"));
        assertEquals("unknown instruction: FORM (did you mean FROM?)", e.reason());
        assertEquals(new SourceRange(new Position(1, 1), new Position(1, 5)), e.range().orElseThrow());
        assertEquals("unknown instruction: copyy (did you mean copy?)", failure(node("copyy", "x")).reason());
        assertEquals("unknown instruction: Runn (did you mean run?)", failure(node("Runn", "x")).reason());
        assertEquals("unknown instruction: XYZZY", failure(node("XYZZY", "x")).reason());
    }

    @Test
    void errorsNameTheFile() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> InstructionReader.parse("app.Dockerfile", node("USER")));
        assertEquals("app.Dockerfile", e.file());
        assertTrue(e.getMessage().startsWith("app.Dockerfile:1:1: "), e.getMessage());
        assertInstanceOf(SourceRange.class, e.range().orElseThrow());
    }
}
