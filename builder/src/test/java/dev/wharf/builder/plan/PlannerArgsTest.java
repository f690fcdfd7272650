package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.ArgInstruction;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.KeyValue;
import dev.wharf.grammar.instructions.LabelInstruction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** ARG and ENV scoping and precedence, predefined ARGs and the ARGs each step records. */
class PlannerArgsTest {

    private static Map<String, String> env(Step step) {
        Map<String, String> out = new LinkedHashMap<>();
        step.environment().env().forEach(e -> out.put(EnvEntry.parse(e).key(), EnvEntry.parse(e).value()));
        return out;
    }

    private static List<KeyValue> pairs(Step step) {
        return step.instruction() instanceof EnvInstruction e ? e.pairs() : ((LabelInstruction) step.instruction()).labels();
    }

    private static String value(Step step, int pair) {
        return pairs(step).get(pair).value().text();
    }

    @Test
    void globalArg_isUsableInFrom_andRecordedAsFromArg() throws DockerfileException {
        FixedResolver resolver = FixedResolver.anyImage();
        BuildPlan plan = Plans.plan("ARG tag=3.20\nFROM alpine:${tag}\n", Plans.request(), resolver);
        PlannedStage stage = plan.targetStage();
        assertEquals("alpine:3.20", stage.baseName());
        assertEquals(Map.of("tag", "3.20"), stage.fromArgs());
        assertEquals(List.of("alpine:3.20"), resolver.lookups());
    }

    @Test
    void buildArg_overridesGlobalDefault() throws DockerfileException {
        BuildPlan plan = Plans.plan("ARG tag=nosuchtag\nFROM busybox:${tag}\n",
                Plans.request().withBuildArg("tag", "latest"));
        assertEquals("busybox:latest", plan.targetStage().baseName());
        assertEquals("latest", plan.globalArgs().get("tag"));
    }

    @Test
    void globalArg_isInvisibleInStage_untilRedeclaredWithoutDefault() throws DockerfileException {
        BuildPlan plan = Plans.plan("ARG V=1\nFROM scratch\nENV A=x$V\nARG V\nENV B=x$V\n");
        List<Step> steps = plan.targetStage().steps();
        assertEquals("x", value(steps.get(0), 0));
        assertEquals("x1", value(steps.get(2), 0));
        assertEquals(Map.of("V", "1"), steps.get(2).usedArgs());
    }

    @Test
    void stageArgDefault_isExpandedInTheStageEnvironment() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nENV X=1\nARG Y=${X}2\nRUN true\n");
        ArgInstruction arg = (ArgInstruction) plan.targetStage().steps().get(1).instruction();
        assertEquals("12", arg.args().get(0).defaultValue().orElseThrow());
        assertEquals("12", env(plan.targetStage().steps().get(2)).get("Y"));
    }

    @Test
    void buildArg_overridesStageArgDefault() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nARG Y=default\nRUN true\n",
                Plans.request().withBuildArg("Y", "given"));
        Step run = plan.targetStage().steps().get(1);
        assertEquals("given", env(run).get("Y"));
        assertEquals(Map.of("Y", "given"), run.usedArgs());
    }

    @Test
    void argDefaultCheck_failsWithoutValue_andPassesWithABuildArgForEither() throws DockerfileException {
        String dockerfile = "FROM scratch\nARG FOO\nARG BAR=${FOO:?\"foo missing\"}\n";
        DockerfileException e = assertThrows(DockerfileException.class, () -> Plans.plan(dockerfile));
        assertTrue(e.reason().contains("FOO: foo missing"), e.reason());
        assertEquals(3, e.range().orElseThrow().start().line());
        Plans.plan(dockerfile, Plans.request().withBuildArg("FOO", "123"));
        Plans.plan(dockerfile, Plans.request().withBuildArg("BAR", "123"));
    }

    @Test
    void metaArgDefaultCheck_failsAtItsLine() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("ARG FOO=${FOO:?\"custom error\"}\nFROM busybox\n"));
        assertTrue(e.reason().contains("custom error"), e.reason());
        assertEquals(1, e.range().orElseThrow().start().line());
    }

    @Test
    void envDeclaredAfterArg_overridesIt() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nARG FOO=arg\nENV FOO=env\nLABEL l=$FOO\nRUN true\n");
        List<Step> steps = plan.targetStage().steps();
        assertEquals("env", value(steps.get(2), 0));
        assertEquals("env", env(steps.get(3)).get("FOO"));
        assertTrue(plan.targetStage().config().env().contains("FOO=env"));
    }

    @Test
    void argDeclaredAfterEnv_replacesTheBuildEnvironmentButNotTheImageConfig() throws DockerfileException {
        // BuildKit's dispatchArg adds the ARG's value to the build state's environment after the ENV.
        BuildPlan plan = Plans.plan("FROM scratch\nENV FOO=env\nARG FOO=arg\nRUN true\n");
        assertEquals("arg", env(plan.targetStage().steps().get(2)).get("FOO"));
        assertTrue(plan.targetStage().config().env().contains("FOO=env"));
    }

    @Test
    void env_expandsEveryPairAgainstTheEnvironmentBeforeTheInstruction() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nENV A=1\nENV A=2 B=$A\n");
        assertEquals("1", value(plan.targetStage().steps().get(1), 1));
        assertTrue(plan.targetStage().config().env().containsAll(List.of("A=2", "B=1")));
    }

    @Test
    void declaredArgWithoutValue_staysOutOfTheEnvironment() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nARG X\nRUN true\n");
        Step run = plan.targetStage().steps().get(1);
        assertFalse(env(run).containsKey("X"));
        // BuildKit's runCommandString still lists it, empty, in the RUN's history: "RUN |1 X= ...".
        assertEquals(Map.of("X", ""), run.usedArgs());
    }

    @Test
    void redeclaredArgWithoutValue_keepsItsEarlierValueOnce() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nARG X=1\nARG Y\nARG X\nRUN true\n");
        Step run = plan.targetStage().steps().get(3);
        assertEquals("1", env(run).get("X"));
        assertEquals(List.of("X", "Y"), List.copyOf(run.usedArgs().keySet()));
        assertEquals("1", run.usedArgs().get("X"));
    }

    @Test
    void run_usesEveryDeclaredArg_otherStepsOnlyTheOnesTheyExpand() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nARG A=1\nARG B=2\nCOPY $A /dst\nRUN echo\n");
        List<Step> steps = plan.targetStage().steps();
        assertEquals(Map.of("A", "1"), steps.get(2).usedArgs());
        assertEquals(Map.of("A", "1", "B", "2"), steps.get(3).usedArgs());
    }

    @Test
    void envVariables_areNotRecordedAsUsedArgs() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nENV E=1\nCOPY $E /dst\n");
        assertEquals(Map.of(), plan.targetStage().steps().get(1).usedArgs());
    }

    @Test
    void stageBuiltFromAnother_inheritsItsArgsAndEnvironment() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch AS a\nARG X=1\nENV Y=2\nFROM a\nRUN true\n");
        Step run = plan.targetStage().steps().get(0);
        assertEquals("1", env(run).get("X"));
        assertEquals("2", env(run).get("Y"));
        assertEquals(Map.of("X", "1"), run.usedArgs());
    }

    @Test
    void predefinedPlatformArgs_needDeclarationInAStage_butNotInFrom() throws DockerfileException {
        PlanRequest request = PlanRequest.of(Platform.of("linux", "arm", "v7"));
        FixedResolver resolver = FixedResolver.of().with("img-arm", ImageConfig.empty());
        BuildPlan plan = Plans.plan("FROM img-$TARGETARCH\nRUN true\n"
                + "ARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDOS BUILDARCH BUILDVARIANT\n"
                + "RUN true\n", request, resolver);
        Map<String, String> before = env(plan.targetStage().steps().get(0));
        assertFalse(before.containsKey("TARGETARCH"));
        Map<String, String> after = env(plan.targetStage().steps().get(2));
        assertEquals("linux/arm/v7", after.get("TARGETPLATFORM"));
        assertEquals("linux", after.get("TARGETOS"));
        assertEquals("arm", after.get("TARGETARCH"));
        assertEquals("v7", after.get("TARGETVARIANT"));
        assertEquals("linux/arm/v7", after.get("BUILDPLATFORM"));
        assertEquals("linux", after.get("BUILDOS"));
        assertEquals("arm", after.get("BUILDARCH"));
        assertEquals("v7", after.get("BUILDVARIANT"));
    }

    @Test
    void targetStageArg_namesTheTarget_orDefault() throws DockerfileException {
        String dockerfile = "FROM scratch AS base\nARG TARGETSTAGE\nRUN true\nFROM base AS foo\nFROM scratch\n";
        BuildPlan foo = Plans.plan(dockerfile, Plans.request().withTarget("foo"));
        assertEquals("foo", env(foo.stage("base").orElseThrow().steps().get(1)).get("TARGETSTAGE"));
        BuildPlan last = Plans.plan("FROM scratch\nARG TARGETSTAGE\nRUN true\n");
        assertEquals("default", env(last.targetStage().steps().get(1)).get("TARGETSTAGE"));
    }

    @Test
    void proxyBuildArgs_arePassedToRunButNeitherCachedNorWarnedAbout() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nRUN true\n",
                Plans.request().withBuildArg("http_proxy", "hp").withBuildArg("NO_PROXY", "np"));
        assertEquals(Map.of("HTTP_PROXY", "hp", "http_proxy", "hp", "NO_PROXY", "np", "no_proxy", "np"),
                plan.proxyEnv());
        Step run = plan.targetStage().steps().get(0);
        assertFalse(env(run).containsKey("http_proxy"));
        assertEquals(Map.of(), run.usedArgs());
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void unusedBuildArgs_areNotAWarning_asInBuildKit() throws DockerfileException {
        // The classic builder's "One or more build-args [...] were not consumed" has no BuildKit counterpart.
        BuildPlan plan = Plans.plan("ARG G\nFROM scratch\nARG S\n", Plans.request().withBuildArg("G", "1")
                .withBuildArg("S", "2").withBuildArg("NOPE", "3").withBuildArg("ALSO", "4"));
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void sourceDateEpoch_comesFromABuildArgOrGlobalArg() throws DockerfileException {
        assertEquals(OptionalLong.of(1700000000L), Plans.plan("FROM scratch\n",
                Plans.request().withBuildArg("SOURCE_DATE_EPOCH", "1700000000")).sourceDateEpoch());
        assertEquals(OptionalLong.of(42L), Plans.plan("ARG SOURCE_DATE_EPOCH=42\nFROM scratch\n").sourceDateEpoch());
        assertEquals(OptionalLong.empty(), Plans.plan("FROM scratch\n").sourceDateEpoch());
        assertThrows(DockerfileException.class, () -> Plans.plan("FROM scratch\n",
                Plans.request().withBuildArg("SOURCE_DATE_EPOCH", "yesterday")));
    }

    @Test
    void path_isAddedWhenTheBaseHasNone() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch\nRUN true\n");
        assertEquals(List.of("PATH=" + StageDispatcher.DEFAULT_PATH), plan.targetStage().config().env());
        assertEquals(StageDispatcher.DEFAULT_PATH, env(plan.targetStage().steps().get(0)).get("PATH"));
    }

    @Test
    void baseImageEnvironment_isTheStartingEnvironment() throws DockerfileException {
        FixedResolver resolver = FixedResolver.of().with("base",
                ImageConfig.empty().withEnv(List.of("PATH=/bin", "LANG=C")).withWorkingDir("/app")
                        .withUser("app"));
        Step run = Plans.plan("FROM base\nRUN true\n", Plans.request(), resolver).targetStage().steps().get(0);
        assertEquals(List.of("PATH=/bin", "LANG=C"), run.environment().env());
        assertEquals("/app", run.environment().workingDir());
        assertEquals("app", run.environment().user());
    }
}
