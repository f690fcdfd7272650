package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CmdInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.instructions.EntrypointInstruction;
import dev.wharf.grammar.instructions.ExposeInstruction;
import dev.wharf.grammar.instructions.HealthcheckInstruction;
import dev.wharf.grammar.instructions.LabelInstruction;
import dev.wharf.grammar.instructions.MaintainerInstruction;
import dev.wharf.grammar.instructions.OnbuildInstruction;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.ShellInstruction;
import dev.wharf.grammar.instructions.StopSignalInstruction;
import dev.wharf.grammar.instructions.UserInstruction;
import dev.wharf.grammar.instructions.VolumeInstruction;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which instructions expand variables, which words of them, and how (BuildKit's Expand methods). */
class InstructionExpansionTest {

    private static final String PRELUDE = "FROM scratch\nENV V=val D=/dir U=app P=\"80 443/udp\" S=SIGTERM\n";

    /** The step for the one instruction after {@link #PRELUDE}. */
    private static Step step(String instruction) throws DockerfileException {
        List<Step> steps = Plans.plan(PRELUDE + instruction + "\n").targetStage().steps();
        return steps.get(steps.size() - 1);
    }

    private static List<String> texts(List<Word> words) {
        return words.stream().map(Word::text).toList();
    }

    @Test
    void label_expandsKeysAndValues() throws DockerfileException {
        LabelInstruction label = (LabelInstruction) step("LABEL k$V=\"$V and ${V}\"").instruction();
        assertEquals("kval", label.labels().get(0).key().text());
        assertEquals("val and val", label.labels().get(0).value().text());
    }

    @Test
    void copy_expandsChownChmodSourcesAndDestination_butNotExclude() throws DockerfileException {
        CopyInstruction copy = (CopyInstruction) step(
                "COPY --chown=$U:$U --chmod=0${V:+7}55 --exclude=$V $V/a ${V}b $D/").instruction();
        assertEquals("app:app", copy.chown().orElseThrow().text());
        assertEquals("0755", copy.chmod().orElseThrow().text());
        assertEquals(List.of("val/a", "valb"), texts(copy.files().sourcePaths()));
        assertEquals("/dir/", copy.files().dest().text());
        assertEquals(List.of("$V"), texts(copy.excludes()));
    }

    @Test
    void copyHeredoc_expandsTheBodyRaw_unlessTheNameIsQuoted() throws DockerfileException {
        CopyInstruction open = (CopyInstruction) step("COPY <<EOF /f\n\"$V\" \\$V\nEOF").instruction();
        assertEquals("\"val\" $V\n", open.files().sourceContents().get(0).data());
        CopyInstruction quoted = (CopyInstruction) step("COPY <<\"EOF\" /f\n$V\nEOF").instruction();
        assertEquals("$V\n", quoted.files().sourceContents().get(0).data());
    }

    @Test
    void add_alsoExpandsChecksum() throws DockerfileException {
        AddInstruction add = (AddInstruction) step(
                "ADD --checksum=sha256:${V} https://example.com/$V.tgz /").instruction();
        assertEquals("sha256:val", add.checksum().orElseThrow().text());
        assertEquals(List.of("https://example.com/val.tgz"), texts(add.files().sourcePaths()));
    }

    @Test
    void run_expandsOnlyItsMounts() throws DockerfileException {
        Step step = step("RUN --mount=type=cache,target=$D/cache,id=$V echo $V");
        RunInstruction run = (RunInstruction) step.instruction();
        assertEquals(List.of("echo $V"), run.command().values());
        assertEquals("/dir/cache", step.mounts().get(0).target());
        assertEquals("val", step.mounts().get(0).cacheId());
    }

    @Test
    void workdirUserStopsignalVolume_expandTheirValues() throws DockerfileException {
        assertEquals("/dir/sub", ((WorkdirInstruction) step("WORKDIR $D/sub").instruction()).path().text());
        assertEquals("app", ((UserInstruction) step("USER $U").instruction()).user().text());
        assertEquals("SIGTERM", ((StopSignalInstruction) step("STOPSIGNAL $S").instruction()).signal().text());
        assertEquals(List.of("/dir", "/val"),
                texts(((VolumeInstruction) step("VOLUME [\"$D\", \"/$V\"]").instruction()).volumes()));
    }

    @Test
    void expose_expandsAndSplitsPorts() throws DockerfileException {
        Step step = step("EXPOSE $P 8080");
        assertEquals(List.of("80", "443/udp", "8080"), texts(((ExposeInstruction) step.instruction()).ports()));
        assertEquals(Set.of("80/tcp", "443/udp", "8080/tcp"), step.config().exposedPorts());
    }

    @Test
    void cmdEntrypointShellHealthcheckOnbuildMaintainer_areNotExpanded() throws DockerfileException {
        assertEquals(List.of("echo", "$V"), ((CmdInstruction) step("CMD [\"echo\", \"$V\"]").instruction())
                .command().values());
        assertEquals(List.of("run $V"), ((EntrypointInstruction) step("ENTRYPOINT run $V").instruction())
                .command().values());
        assertEquals(List.of("/bin/$V", "-c"), texts(((ShellInstruction) step("SHELL [\"/bin/$V\", \"-c\"]")
                .instruction()).shell()));
        assertEquals(List.of("CMD-SHELL", "check $V"), ((HealthcheckInstruction) step("HEALTHCHECK CMD check $V")
                .instruction()).health().test());
        assertEquals("RUN echo $V", ((OnbuildInstruction) step("ONBUILD RUN echo $V").instruction()).expression());
        assertEquals("$V", ((MaintainerInstruction) step("MAINTAINER $V").instruction()).maintainer().text());
    }

    @Test
    void escapeDirective_isHonoured() throws DockerfileException {
        BuildPlan plan = Plans.plan("# escape=`\nFROM scratch\nENV V=val\nLABEL a=`$V b=$V\n");
        LabelInstruction label = (LabelInstruction) plan.targetStage().steps().get(1).instruction();
        assertEquals("$V", label.labels().get(0).value().text());
        assertEquals("val", label.labels().get(1).value().text());
    }

    @Test
    void expansionErrors_areLocatedAtTheInstruction() {
        DockerfileException e = assertThrows(DockerfileException.class, () -> step("WORKDIR ${NOPE:?is required}"));
        assertTrue(e.reason().contains("is required"), e.reason());
        assertEquals(3, e.range().orElseThrow().start().line());
    }

    @Test
    void expansionErrors_keepShellLexWrapping_namingTheWord() {
        assertEquals("failed to process \"${NOPE:?is required}\": NOPE: is required",
                assertThrows(DockerfileException.class, () -> step("WORKDIR ${NOPE:?is required}")).reason());
        assertEquals("failed to process \"\\\"y\": unexpected end of statement while looking for matching "
                + "double-quote", assertThrows(DockerfileException.class, () -> step("LABEL \"y=z\"=w")).reason());
        assertEquals("failed to process \"${IMG:?img}\": IMG: img",
                assertThrows(DockerfileException.class, () -> Plans.plan("ARG IMG\nFROM ${IMG:?img}\n")).reason());
    }

    @Test
    void expandedInstructions_areNewValues_andTheDockerfileIsUntouched() throws DockerfileException {
        Dockerfile dockerfile = DockerfileReader.read(DockerfileParser.parse(PRELUDE + "USER $U\nCMD run\n"));
        Dockerfile copy = new Dockerfile(dockerfile.directives(), dockerfile.metaArgs(), dockerfile.stages(),
                dockerfile.warnings());
        BuildPlan plan = new Planner(FixedResolver.anyImage()).plan(dockerfile, Plans.request());
        assertEquals(copy, dockerfile);
        UserInstruction original = (UserInstruction) dockerfile.stages().get(0).commands().get(1);
        UserInstruction planned = (UserInstruction) plan.targetStage().steps().get(1).instruction();
        assertEquals("$U", original.user().text());
        assertNotEquals(original, planned);
        assertEquals(original.origin(), planned.origin());
        assertSame(dockerfile.stages().get(0).commands().get(2), plan.targetStage().steps().get(2).instruction());
    }

    @Test
    void configEffects_followBuildKit() throws DockerfileException {
        BuildPlan plan = Plans.plan("""
                FROM scratch
                WORKDIR app
                WORKDIR sub/../lib
                CMD ["a"]
                ENTRYPOINT go
                SHELL ["/bin/bash", "-c"]
                USER nobody
                STOPSIGNAL 9
                MAINTAINER me
                """);
        ImageConfig config = plan.targetStage().config();
        assertEquals("/app/lib", config.workingDir());
        assertEquals(Optional.of(List.of("a")), config.cmd());
        assertEquals(Optional.of(List.of("/bin/sh", "-c", "go")), config.entrypoint());
        assertEquals(List.of("/bin/bash", "-c"), config.shell());
        assertEquals("nobody", config.user());
        assertEquals("9", config.stopSignal());
        assertEquals("me", config.author());
        assertTrue(config.argsEscaped());
    }

    @Test
    void entrypoint_resetsAnInheritedCmd() throws DockerfileException {
        FixedResolver resolver = FixedResolver.of().with("base",
                ImageConfig.empty().withCmd(Optional.of(List.of("sh")), false));
        assertEquals(Optional.empty(), Plans.plan("FROM base\nENTRYPOINT [\"x\"]\n", Plans.request(), resolver)
                .targetStage().config().cmd());
    }

    @Test
    void badStopSignalAndEmptyVolume_areErrors() {
        assertEquals("invalid signal: SIGNOPE",
                assertThrows(DockerfileException.class, () -> step("STOPSIGNAL SIGNOPE")).reason());
        assertEquals("VOLUME specified can not be an empty string",
                assertThrows(DockerfileException.class, () -> step("VOLUME [\"$NOPE\"]")).reason());
    }

    @Test
    void badChmod_failsWhilePlanning_atItsInstruction_beforeAnyStepRuns() {
        // convert_copy.go parses --chmod in dispatchCopy, so a bad one stops the build before any step.
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM alpine\nRUN make\nARG M=xyz\nADD --chmod=$M a /b\n"));
        assertEquals("invalid syntax: --chmod=xyz is neither an octal mode (0755) nor a symbolic one "
                + "(u=rwx,go=rx)", e.reason());
        assertEquals(4, e.range().orElseThrow().start().line());
        assertEquals("invalid chmod parameter: '888'. it should be octal string and between 0 and 07777",
                assertThrows(DockerfileException.class,
                        () -> Plans.plan("FROM alpine\nCOPY --chmod=888 a /b\n")).reason());
    }
}
