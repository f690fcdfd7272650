package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.ImageResolutionException;
import dev.wharf.builder.plan.Platform;
import dev.wharf.builder.plan.PlanRequest;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.Planner;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which stage names a shared FROM vertex, planned by the real planner. The stages here start from scratch (no image
 * to resolve) and the test treats every scratch base as one image vertex; the peer (buildx 0.13.1 on dockerd 26)
 * built the same shapes FROM one image and showed these names on most runs (its choice varies now and then on a
 * cached rebuild).
 */
class FromVertexNamesTest {
    private static BuildPlan plan(String dockerfile) throws Exception {
        return new Planner((reference, platform) -> {
            throw new ImageResolutionException("no images here: " + reference);
        }).plan(DockerfileReader.read(DockerfileParser.parse(dockerfile)),
                PlanRequest.of(Platform.of("linux", "amd64", "")));
    }

    private static String shown(String dockerfile) throws Exception {
        BuildPlan plan = plan(dockerfile);
        FromVertexNames names = FromVertexNames.of(plan,
                stage -> stage.base() instanceof StageBase.Scratch ? Optional.of("image") : Optional.empty());
        return names.shownBy("image").flatMap(plan::stage).map(PlannedStage::displayName).orElse("none");
    }

    @Test
    void aCopysSourceStage_isVisitedAfterTheStageItCopiesOnto_soItsNameWins() throws Exception {
        // The peer: #4 [a 1/2] FROM (3 of 4 cached runs, every --no-cache run).
        assertEquals("a", shown("FROM scratch AS a\nRUN echo a > /x\nFROM scratch AS b\nRUN echo b > /y\n"
                + "RUN echo c\nFROM b\nCOPY --from=a /x /x\nCOPY a /a\n"));
    }

    @Test
    void aStageVisitedOnce_keepsTheNameOfTheLastNewlyVisitedStage() throws Exception {
        // Case 191's shape: app builds on php, copies from composer, then from vendor (php and composer again, both
        // visited already). The peer: #5 [composer 1/3] FROM on every --no-cache run.
        assertEquals("composer", shown("FROM scratch AS php\nRUN echo php\nFROM scratch AS composer\nRUN echo c\n"
                + "FROM php AS vendor\nCOPY --from=composer /c /c\nRUN echo v\n"
                + "FROM php AS app\nRUN echo ext\nCOPY --from=composer /c /c\nCOPY --from=vendor /v /v\n"));
    }

    @Test
    void aRunsMountSources_areVisitedInTheOrderOfTheirTargets() throws Exception {
        // ExecOp sorts its mounts by target: /a (from z) before /b (from y), so y is the last.
        assertEquals("y", shown("FROM scratch AS x\nRUN echo x\nFROM scratch AS y\nRUN echo y\n"
                + "FROM scratch AS z\nRUN echo z\nFROM x\n"
                + "RUN --mount=type=bind,from=y,target=/b --mount=type=bind,from=z,target=/a true\n"));
        // Relative targets are resolved against WORKDIR first: /w/a (from y) sorts before /w/b (from z).
        assertEquals("z", shown("FROM scratch AS x\nRUN echo x\nFROM scratch AS y\nRUN echo y\n"
                + "FROM scratch AS z\nRUN echo z\nFROM x\nWORKDIR /w\n"
                + "RUN --mount=type=bind,from=z,target=b --mount=type=bind,from=y,target=a true\n"));
    }

    @Test
    void theTargetsOwnBase_whenNothingElseSharesIt_namesTheVertex() throws Exception {
        assertEquals("stage-1", shown("FROM scratch AS unused\nRUN echo u\nFROM scratch\nRUN echo only\n"));
    }
}
