package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How named contexts take the place of stages and images in the plan, as BuildKit's dockerfile2llb does
 * (convert.go {@code buildDispatchStates}, {@code resolveBaseImage}, {@code namedContextFunc}).
 */
class PlannerNamedContextsTest {
    private static final NamedContextRef FILES = new NamedContextRef.Files();

    private static PlanRequest with(Map<String, NamedContextRef> contexts) {
        return Plans.request().withNamedContexts(contexts);
    }

    @Test
    void aContextNamedLikeAStage_replacesIt_withoutItsStepsOrItsBaseImage() throws Exception {
        FixedResolver resolver = FixedResolver.anyImage();
        BuildPlan plan = Plans.plan("FROM golang AS deps\nRUN make\nFROM alpine\nCOPY --from=deps /x /x\n",
                with(Map.of("deps", FILES)), resolver);
        PlannedStage deps = plan.stages().get(0);
        assertEquals(new StageBase.Context("deps", true), deps.base());
        assertTrue(deps.steps().isEmpty(), deps.steps().toString());
        assertEquals(List.of("alpine"), resolver.lookups(), "golang is never resolved");
        Step copy = plan.stages().get(1).steps().get(0);
        assertEquals(List.of(new StepSource.Context("deps", "deps")), copy.sources());
    }

    /**
     * buildx 0.13 on the peer: {@code --build-context m2=DIR} for {@code FROM base AS m2} gives an image without
     * WorkingDir (the stage keeps dockerfile2llb's zero image), while {@code FROM ctx} with {@code ctx=DIR} starts
     * from emptyImage's WorkingDir "/".
     */
    @Test
    void aFilesContextReplacingAStage_hasNoWorkingDir_whileOneUsedAsBaseHasSlash() throws Exception {
        FixedResolver resolver = FixedResolver.anyImage();
        BuildPlan replaced = Plans.plan("FROM alpine AS m2\nRUN make\nFROM m2\nLABEL a=b\n",
                with(Map.of("m2", FILES)), resolver);
        assertEquals("", replaced.stages().get(replaced.stages().size() - 1).config().workingDir());
        assertTrue(replaced.stages().get(replaced.stages().size() - 1).config().env().stream()
                .anyMatch(e -> e.startsWith("PATH=")), "PATH is added as for any stage");

        BuildPlan based = Plans.plan("FROM ctx\nLABEL a=b\n", with(Map.of("ctx", FILES)), resolver);
        assertEquals("/", based.stages().get(0).config().workingDir());
    }

    /**
     * buildx 0.13.1: a bad {@code docker-image://} reference fails where the name is used, with the parser's words
     * alone ({@code failed to solve: invalid reference format: repository name (library/UPPER) must be
     * lowercase}); unused, it does not fail.
     */
    @Test
    void aBadDockerImageContext_failsOnlyWhereUsed_withTheReferenceError() throws Exception {
        Map<String, NamedContextRef> contexts = Map.of("x", new NamedContextRef.Image("UPPER"));
        DockerfileException e = org.junit.jupiter.api.Assertions.assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM alpine\nCOPY --from=x /a /a\n", with(contexts), FixedResolver.anyImage()));
        assertEquals("invalid reference format: repository name (library/UPPER) must be lowercase", e.reason());
        Plans.plan("FROM alpine\nCOPY a /a\n", with(contexts), FixedResolver.anyImage());
    }

    @Test
    void aDockerImageContext_isResolvedThroughTheResolver_underTheFromName() throws Exception {
        FixedResolver resolver = FixedResolver.anyImage();
        BuildPlan plan = Plans.plan("FROM alpine:3.20\nRUN true\n",
                with(Map.of("alpine:3.20", new NamedContextRef.Image("registry.local/alpine:pinned"))), resolver);
        assertEquals(List.of("registry.local/alpine:pinned"), resolver.lookups());
        StageBase.Image base = assertInstanceOf(StageBase.Image.class, plan.stages().get(0).base());
        assertEquals("docker.io/library/registry.local/alpine:pinned", base.image().reference());
    }

    @Test
    void contextNames_areNormalizedLikeImageNames() throws Exception {
        FixedResolver resolver = FixedResolver.anyImage();
        BuildPlan plan = Plans.plan("FROM docker.io/library/alpine:latest\n", with(Map.of("alpine", FILES)),
                resolver);
        assertEquals(new StageBase.Context("alpine"), plan.stages().get(0).base());
        assertTrue(resolver.lookups().isEmpty());
    }

    @Test
    void anEarlierStage_winsOverAContextOfItsName_forFrom() throws Exception {
        BuildPlan plan = Plans.plan("FROM scratch AS base\nFROM base\n",
                with(Map.of("base2", FILES)).withTarget(""), FixedResolver.anyImage());
        assertInstanceOf(StageBase.Stage.class, plan.stages().get(plan.stages().size() - 1).base());
    }

    @Test
    void scratchAndContext_areNeverNamedContexts() throws Exception {
        BuildPlan plan = Plans.plan("FROM scratch\nCOPY --from=context /a /a\n",
                with(Map.of("scratch", FILES, "context", FILES)), FixedResolver.anyImage());
        assertEquals(new StageBase.Scratch(), plan.stages().get(0).base());
        assertInstanceOf(StepSource.Image.class, plan.stages().get(0).steps().get(0).sources().get(0));
    }

    @Test
    void runMountFrom_andCopyFromAnImageName_readTheContext() throws Exception {
        BuildPlan plan = Plans.plan("FROM scratch\nCOPY --from=tools /bin/x /x\n"
                + "RUN --mount=from=tools,target=/t true\n", with(Map.of("tools", FILES)), FixedResolver.anyImage());
        List<Step> steps = plan.stages().get(0).steps();
        assertEquals(new StepSource.Context("tools", "tools"), steps.get(0).sources().get(0));
        assertEquals(new StepSource.Context("tools", "tools"), steps.get(1).sources().get(0));
    }
}
