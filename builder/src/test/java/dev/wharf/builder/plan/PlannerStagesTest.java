package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.EnvInstruction;
import dev.wharf.grammar.instructions.RunInstruction;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Stages by name and index, the target and what it needs, base images, ONBUILD, cycles and platforms. */
class PlannerStagesTest {

    private static final String THREE_STAGES = """
            FROM alpine AS a
            RUN make
            FROM busybox AS b
            COPY --from=a /out /out
            FROM debian AS c
            RUN never
            """;

    private static List<Integer> indexes(BuildPlan plan) {
        return plan.stages().stream().map(PlannedStage::index).toList();
    }

    @Test
    void aOneStageDockerfile_hasOneDispatchState_unlessItReadsAnImageOrMountsAnything() throws DockerfileException {
        // convert.go keeps the stage's name ([stage-0 2/2]) when BuildKit's states list has more than one entry:
        // images read with --from, and the scratch placeholder detectRunMount adds for each mount without from=.
        assertEquals(1, Plans.plan("FROM alpine\nRUN make\nCOPY a /a\n").stageCount());
        assertEquals(2, Plans.plan("FROM alpine\nCOPY --from=busybox /bin/sh /sh\n").stageCount());
        assertEquals(2, Plans.plan("FROM alpine\nRUN --mount=type=tmpfs,target=/t true\n").stageCount());
        assertEquals(2, Plans.plan("FROM alpine\nRUN --mount=type=bind,from=busybox,target=/b true\n")
                .stageCount());
        assertEquals(2, Plans.plan("FROM alpine AS a\nFROM a\n").stageCount());
    }

    @Test
    void target_buildsOnlyTheStagesItNeeds_andResolvesOnlyTheirImages() throws DockerfileException {
        FixedResolver resolver = FixedResolver.anyImage();
        BuildPlan plan = Plans.plan(THREE_STAGES, Plans.request().withTarget("b"), resolver);
        assertEquals(List.of(0, 1), indexes(plan));
        assertEquals(1, plan.target());
        assertEquals(List.of("alpine", "busybox"), resolver.lookups().stream().sorted().toList());
    }

    @Test
    void withoutTarget_theLastStageIsBuilt() throws DockerfileException {
        BuildPlan plan = Plans.plan(THREE_STAGES);
        assertEquals(List.of(2), indexes(plan));
        assertEquals("c", plan.targetStage().name().orElseThrow());
    }

    @Test
    void target_isCaseInsensitive() throws DockerfileException {
        assertEquals(1, Plans.plan(THREE_STAGES, Plans.request().withTarget("B")).target());
    }

    @Test
    void unknownTarget_isAnError() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan(THREE_STAGES, Plans.request().withTarget("nosuch")));
        assertEquals("target stage \"nosuch\" could not be found", e.reason());
    }

    @Test
    void misspelledTarget_suggestsTheClosestStage_asBuildKitsResolveTarget() {
        // dockerfile2llb resolveTarget: suggest.WrapError over the stages' names, an unnamed one's stage-N.
        String dockerfile = "FROM scratch AS build\nFROM scratch\nFROM scratch AS final\n";
        DockerfileException typo = assertThrows(DockerfileException.class,
                () -> Plans.plan(dockerfile, Plans.request().withTarget("buidl")));
        assertEquals("target stage \"buidl\" could not be found (did you mean build?)", typo.reason());
        DockerfileException unnamed = assertThrows(DockerfileException.class,
                () -> Plans.plan(dockerfile, Plans.request().withTarget("stage-2")));
        assertEquals("target stage \"stage-2\" could not be found (did you mean stage-1?)", unnamed.reason());
        DockerfileException far = assertThrows(DockerfileException.class,
                () -> Plans.plan(dockerfile, Plans.request().withTarget("release")));
        assertEquals("target stage \"release\" could not be found", far.reason());
    }

    @Test
    void copyFrom_acceptsAStageNameIndexOrImage() throws DockerfileException {
        BuildPlan plan = Plans.plan("""
                FROM scratch AS first
                FROM scratch
                COPY --from=first /a /a
                COPY --from=0 /b /b
                COPY --from=nginx:1.27 /c /c
                COPY --from=scratch /d /d
                """);
        List<Step> steps = plan.targetStage().steps();
        assertEquals(List.of(new StepSource.Stage("first", 0)), steps.get(0).sources());
        assertEquals(List.of(new StepSource.Stage("0", 0)), steps.get(1).sources());
        StepSource.Image image = assertInstanceOf(StepSource.Image.class, steps.get(2).sources().get(0));
        assertEquals("docker.io/library/nginx:1.27", image.image().reference());
        assertEquals(List.of(new StepSource.Scratch("scratch")), steps.get(3).sources());
        assertEquals(List.of(0, 1), indexes(plan));
    }

    @Test
    void runMountFrom_namesAStageOrAnImage() throws DockerfileException {
        BuildPlan plan = Plans.plan("""
                FROM scratch AS tools
                FROM busybox
                RUN --mount=from=tools,target=/t --mount=type=cache,target=/c --mount=from=alpine,target=/a ls
                """);
        Step run = plan.targetStage().steps().get(0);
        assertEquals(new StepSource.Stage("tools", 0), run.sources().get(0));
        assertInstanceOf(StepSource.Image.class, run.sources().get(1));
        assertEquals(3, run.mounts().size());
        assertEquals(List.of(0, 1), indexes(plan));
    }

    @Test
    void fromAStage_startsFromItsConfig() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch AS base\nLABEL a=1\nWORKDIR /w\nFROM base\nRUN true\n");
        PlannedStage stage = plan.targetStage();
        assertEquals(new StageBase.Stage(0), stage.base());
        assertEquals("/w", stage.steps().get(0).environment().workingDir());
        assertEquals("1", stage.config().labels().get("a"));
    }

    @Test
    void scratch_hasWorkingDirSlashAndDefaultPath_anImageKeepsItsOwnEmptyWorkingDir() throws DockerfileException {
        // image.go emptyImage: BuildKit's config of scratch says WorkingDir "/"; an image's config is taken as is.
        ImageConfig scratch = Plans.plan("FROM scratch\nLABEL a=1\n").targetStage().config();
        assertEquals("/", scratch.workingDir());
        assertEquals(List.of("PATH=" + StageDispatcher.DEFAULT_PATH), scratch.env());
        assertEquals("/", Plans.plan("FROM scratch AS s\nFROM s\n").targetStage().config().workingDir());
        assertEquals("", Plans.plan("FROM alpine\nLABEL a=1\n").targetStage().config().workingDir());
    }

    @Test
    void runMountOnTheRoot_isRefusedAtPlanning_anEmptyTargetIsTheWorkingDirectory() throws DockerfileException {
        // convert_runmount.go: the target joined to the working directory must not be "/".
        for (String run : List.of("RUN --mount=type=cache true", "RUN --mount=type=tmpfs,target=/ true",
                "RUN --mount=type=bind,target=. true", "WORKDIR /a\nRUN --mount=type=cache,target=.. true")) {
            DockerfileException e = assertThrows(DockerfileException.class,
                    () -> Plans.plan("FROM alpine\n" + run + "\n"), run);
            assertEquals("invalid mount target \"/\"", e.reason());
            assertEquals(run.startsWith("WORKDIR") ? 3 : 2, e.range().orElseThrow().start().line(), run);
        }
        Step step = Plans.plan("FROM alpine\nWORKDIR /app\nRUN --mount=type=cache true\n").targetStage().steps()
                .get(1);
        assertEquals("", step.mounts().get(0).target());
        Plans.plan("FROM alpine\nRUN --mount=type=secret,id=s --mount=type=ssh true\n");
    }

    @Test
    void sshMountWithASource_isRefusedAtPlanning() {
        // convert_ssh.go dispatchSSH: an ssh mount takes id=, not source=.
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM alpine\nRUN --mount=type=ssh,source=key true\n"));
        assertEquals("ssh does not support source", e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
    }

    @Test
    void fromAStageName_isLookedUpAsWrittenAfterExpansion() {
        // statesByName is keyed by lower-cased names and looked up with the expanded base name as written, so
        // BASE is an image reference, and an invalid one.
        FixedResolver resolver = FixedResolver.anyImage();
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch AS base\nFROM BASE\n", Plans.request(), resolver));
        // distribution/reference's ParseNormalizedNamed reports the normalized remote name (normalize.go:
        // splitDockerDomain adds library/ before the lower-case check), as docker build prints it.
        assertEquals("failed to parse stage name \"BASE\": invalid reference format: repository name "
                + "(library/BASE) must be lowercase", e.reason());
        assertEquals(List.of(), resolver.lookups());
    }

    @Test
    void imageReferences_followTheDistributionGrammar() {
        assertEquals(java.util.Optional.empty(), ImageReferences.problem("alpine"));
        assertEquals(java.util.Optional.empty(), ImageReferences.problem("localhost:5000/team/app:1.0"));
        assertEquals(java.util.Optional.empty(), ImageReferences.problem("My.Registry/app@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        assertEquals(java.util.Optional.of("invalid reference format"), ImageReferences.problem("alpine:"));
        assertEquals(java.util.Optional.of("invalid reference format"), ImageReferences.problem("a b"));
    }

    @Test
    void copyFromALaterStageOfTheTarget_saysItMustBeDefinedBefore() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch AS first\nCOPY --from=later / /\nFROM scratch AS later\n",
                        Plans.request().withTarget("first")));
        assertEquals("cannot copy from stage \"later\", it needs to be defined before current stage \"first\"",
                e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
    }

    @Test
    void invalidStageIndex_isAnErrorWithoutALocation_asInBuildKit() {
        // dockerfile2llb returns it bare: buildx prints the ERROR line without the COPY's lines.
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch\nCOPY --from=3 / /\n"));
        assertEquals("invalid stage index 3", e.reason());
        assertEquals(java.util.Optional.empty(), e.range());
    }

    @Test
    void variableInCopyFrom_isAnError() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("ARG S=a\nFROM scratch AS a\nFROM scratch\nCOPY --from=$S / /\n"));
        assertTrue(e.reason().startsWith("variable expansion is not supported for --from"), e.reason());
    }

    @Test
    void cycle_isAnErrorNamingTheStageAndLine() {
        DockerfileException e = assertThrows(DockerfileException.class, () -> Plans.plan("""
                FROM busybox AS stage0
                COPY --from=stage2 f1 /sub/
                FROM busybox AS stage1
                COPY --from=stage0 f2 /sub/
                FROM busybox AS stage2
                COPY --from=stage1 f2 /sub/
                """));
        assertEquals("circular dependency detected on stage: stage0", e.reason());
        // BuildKit's error carries every command of the cycle, the last one outermost, and buildx prints them
        // in that order: lines 4, 6, 2.
        assertEquals(List.of(4, 6, 2), e.ranges().stream().map(r -> r.start().line()).toList());
        assertEquals(4, e.range().orElseThrow().start().line());
    }

    @Test
    void cycleThroughRunMount_isAnError() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM busybox AS a\nRUN --mount=from=a,target=/x true\n"));
        assertEquals("circular dependency detected on stage: a", e.reason());
    }

    @Test
    void unknownBaseImage_isAnErrorAtItsFrom() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch\nRUN true\n\nFROM nosuchimage\n", Plans.request(), FixedResolver.of()));
        assertTrue(e.reason().startsWith("nosuchimage: "), e.reason());
        assertEquals(4, e.range().orElseThrow().start().line());
    }

    @Test
    void blankBaseName_isAnError() {
        DockerfileException e = assertThrows(DockerfileException.class, () -> Plans.plan("FROM ${BLANK} AS foo\n"));
        assertEquals("base name (${BLANK}) should not be blank", e.reason());
    }

    @Test
    void onbuildTriggersOfABaseImage_runFirstAtItsFrom_andMayNeedMoreStages() throws DockerfileException {
        FixedResolver resolver = FixedResolver.of().with("framework", ImageConfig.empty()
                .withOnBuild(List.of("ENV BUILT=yes", "COPY --from=assets /a /a")));
        BuildPlan plan = Plans.plan("FROM scratch AS assets\nFROM scratch AS other\n\nFROM framework\nRUN true\n",
                Plans.request(), resolver);
        assertEquals(List.of(0, 2), indexes(plan));
        List<Step> steps = plan.targetStage().steps();
        assertEquals(3, steps.size());
        assertInstanceOf(EnvInstruction.class, steps.get(0).instruction());
        assertTrue(steps.get(0).onBuild() && steps.get(1).onBuild());
        assertFalse(steps.get(2).onBuild());
        assertEquals(4, steps.get(0).range().start().line());
        assertEquals(List.of(new StepSource.Stage("assets", 0)), steps.get(1).sources());
        assertEquals(List.of(), plan.targetStage().config().onBuild());
    }

    @Test
    void onbuildOfABaseStage_runsInTheStageBuiltFromIt() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch AS base\nONBUILD RUN echo hi\nFROM base\nRUN true\n");
        assertEquals(List.of("RUN echo hi"), plan.stage(0).orElseThrow().config().onBuild());
        Step trigger = plan.targetStage().steps().get(0);
        assertTrue(trigger.onBuild());
        assertEquals(List.of("echo hi"), ((RunInstruction) trigger.instruction()).command().values());
        assertEquals(List.of(), plan.targetStage().config().onBuild());
    }

    @Test
    void badOnbuildTrigger_isAnErrorAtTheFrom() {
        FixedResolver resolver = FixedResolver.of().with("broken", ImageConfig.empty()
                .withOnBuild(List.of("NOSUCH thing")));
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch\n\nFROM broken\n", Plans.request(), resolver));
        assertEquals(3, e.range().orElseThrow().start().line());
    }

    @Test
    void noCacheFilter_marksOnlyTheNamedStages() throws DockerfileException {
        BuildPlan plan = Plans.plan("FROM scratch AS a\nRUN a\nFROM scratch AS b\nCOPY --from=a / /\n",
                Plans.request().withNoCacheStages(Set.of("A")));
        assertTrue(plan.stage("a").orElseThrow().ignoreCache());
        assertTrue(plan.stage("a").orElseThrow().steps().get(0).ignoreCache());
        assertFalse(plan.stage("b").orElseThrow().ignoreCache());
        assertTrue(Plans.plan("FROM scratch\nRUN a\n", Plans.request().withNoCache(true)).targetStage().ignoreCache());
    }

    @Test
    void fromPlatform_mustBeTheHostPlatform() throws DockerfileException {
        assertEquals(FixedResolver.HOST, Plans.plan("FROM --platform=$BUILDPLATFORM scratch\n").targetStage()
                .platform());
        assertEquals(FixedResolver.HOST, Plans.plan("FROM --platform=linux/x86_64 scratch\n").targetStage()
                .platform());
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch\nFROM --platform=linux/arm64 scratch\n"));
        assertTrue(e.reason().contains("linux/arm64"), e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
    }

    @Test
    void plans_areComparableAndPrintable() throws DockerfileException {
        String dockerfile = "ARG V=1\nFROM busybox AS a\nARG V\nRUN echo $V\nFROM a\nCOPY --from=a / /\n";
        BuildPlan one = Plans.plan(dockerfile);
        BuildPlan two = Plans.plan(dockerfile);
        assertEquals(one, two);
        assertEquals(one.hashCode(), two.hashCode());
        assertTrue(one.toString().contains("usedArgs={V=1}"), one.toString());
    }

    @Test
    void noStages_isAnError() {
        assertThrows(DockerfileException.class, () -> Plans.plan("ARG A=1\n"));
    }

    @Test
    void runMountFrom_takesNoStageIndex_itIsAnImageReference() throws DockerfileException {
        // detectRunMount (convert_runmount.go) looks mounts up by name only, unlike COPY --from.
        FixedResolver resolver = FixedResolver.anyImage();
        BuildPlan plan = Plans.plan("FROM scratch\nFROM scratch\nRUN --mount=from=0,target=/x true\n",
                Plans.request(), resolver);
        assertEquals(List.of("0"), resolver.lookups());
        assertInstanceOf(StepSource.Image.class, plan.targetStage().steps().get(0).sources().get(0));
    }

    @Test
    void unknownCopyFromName_isAnImageThatFailsAtTheCopyLine() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch\nCOPY --from=nosuchstage / /\n", Plans.request(),
                        FixedResolver.of()));
        assertTrue(e.reason().startsWith("nosuchstage: "), e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
    }

    @Test
    void baseImageOfAnotherPlatform_isAWarning() throws DockerfileException {
        ImageResolutionCheck check = new ImageResolutionCheck();
        BuildPlan plan = Plans.plan("FROM armonly\n", Plans.request(), check);
        String detail = "Base image armonly was pulled with platform \"linux/arm64\", "
                + "expected \"linux/amd64\" for current build";
        // BuildKit reports it as the InvalidBaseImagePlatform build check.
        assertEquals(List.of(PlanWarning.of(new dev.wharf.builder.plan.lint.CheckWarning(
                dev.wharf.builder.plan.lint.CheckRule.INVALID_BASE_IMAGE_PLATFORM, detail,
                java.util.Optional.of(plan.targetStage().range())))), plan.warnings());
    }

    /** Resolves every image to an arm64 one. */
    private static final class ImageResolutionCheck implements ImageConfigResolver {
        @Override
        public BaseImage resolve(String reference, Platform platform) {
            return new BaseImage(reference, Platform.of("linux", "arm64", ""), ImageConfig.empty(), false);
        }
    }
}
