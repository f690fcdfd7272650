package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.BaseImage;
import dev.wharf.builder.plan.ImageConfig;
import dev.wharf.builder.plan.Platform;
import dev.wharf.builder.plan.PlanRequest;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.Planner;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which stage names a shared FROM vertex, planned by the real planner with every base one image ({@code base}); the
 * peer (buildx 0.13.1 on dockerd 26) built the same shapes FROM one image and showed these names on most runs (its
 * choice varies now and then on a cached rebuild).
 */
class SourceVertexNamesTest {
    private static BuildPlan plan(String dockerfile) throws Exception {
        return new Planner((reference, platform) -> new BaseImage("docker.io/library/" + reference, platform,
                ImageConfig.empty(), false)).plan(DockerfileReader.read(DockerfileParser.parse(dockerfile)),
                PlanRequest.of(Platform.of("linux", "amd64", "")));
    }

    private static String shown(String dockerfile) throws Exception {
        BuildPlan plan = plan(dockerfile);
        SourceVertexNames names = SourceVertexNames.of(plan, PlannedStage::displayName,
                stage -> new StageProgress(stage, Optional.empty()), read -> read.written());
        // Every stage that starts from an image starts from "base": any of them gives the vertex's key.
        StageProgress base = plan.stages().stream().map(stage -> new StageProgress(stage, Optional.empty()))
                .filter(StageProgress::hasFromVertex).findFirst().orElseThrow();
        return names.name(base.vertexKey()).map(SourceVertexNames.Name::stage).orElse("none");
    }

    @Test
    void aCopysSourceStage_isVisitedAfterTheStageItCopiesOnto_soItsNameWins() throws Exception {
        // The peer: #4 [a 1/2] FROM (3 of 4 cached runs, every --no-cache run).
        assertEquals("a", shown("FROM base AS a\nRUN echo a > /x\nFROM base AS b\nRUN echo b > /y\n"
                + "RUN echo c\nFROM b\nCOPY --from=a /x /x\nCOPY a /a\n"));
    }

    @Test
    void aStageVisitedOnce_keepsTheNameOfTheLastNewlyVisitedStage() throws Exception {
        // Case 191's shape: app builds on php, copies from composer, then from vendor (php and composer again, both
        // visited already). The peer: #5 [composer 1/3] FROM on every --no-cache run.
        assertEquals("composer", shown("FROM base AS php\nRUN echo php\nFROM base AS composer\nRUN echo c\n"
                + "FROM php AS vendor\nCOPY --from=composer /c /c\nRUN echo v\n"
                + "FROM php AS app\nRUN echo ext\nCOPY --from=composer /c /c\nCOPY --from=vendor /v /v\n"));
    }

    @Test
    void aRunsMountSources_areVisitedInTheOrderOfTheirTargets() throws Exception {
        // ExecOp sorts its mounts by target: /a (from z) before /b (from y), so y is the last.
        assertEquals("y", shown("FROM base AS x\nRUN echo x\nFROM base AS y\nRUN echo y\n"
                + "FROM base AS z\nRUN echo z\nFROM x\n"
                + "RUN --mount=type=bind,from=y,target=/b --mount=type=bind,from=z,target=/a true\n"));
        // Relative targets are resolved against WORKDIR first: /w/a (from y) sorts before /w/b (from z).
        assertEquals("z", shown("FROM base AS x\nRUN echo x\nFROM base AS y\nRUN echo y\n"
                + "FROM base AS z\nRUN echo z\nFROM x\nWORKDIR /w\n"
                + "RUN --mount=type=bind,from=z,target=b --mount=type=bind,from=y,target=a true\n"));
    }

    @Test
    void theTargetsOwnBase_whenNothingElseSharesIt_namesTheVertex() throws Exception {
        assertEquals("stage-1", shown("FROM base AS unused\nRUN echo u\nFROM base\nRUN echo only\n"));
    }
}
