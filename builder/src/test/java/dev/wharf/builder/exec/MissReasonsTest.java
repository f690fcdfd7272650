package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.ImageResolutionException;
import dev.wharf.builder.plan.PlanRequest;
import dev.wharf.builder.plan.Planner;
import dev.wharf.builder.plan.Platform;
import dev.wharf.builder.plan.Step;
import dev.wharf.cache.CacheMissReason;
import dev.wharf.cache.InputChange;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class MissReasonsTest {
    private static Step step(int index) throws Exception {
        return plan().targetStage().steps().get(index);
    }

    private static BuildPlan plan() throws Exception {
        return new Planner((reference, platform) -> {
        throw new ImageResolutionException("no images here: " + reference);
    }).plan(DockerfileReader.read(DockerfileParser.parse("""
            FROM scratch AS builder
            COPY out /out
            FROM scratch
            RUN --mount=type=cache,target=/c --mount=type=bind,source=src,target=/b \
                --mount=type=bind,from=builder,target=/o true
            COPY --from=builder /out /out
            """)), PlanRequest.of(Platform.of("linux", "amd64", "")));
    }

    private static InputChange content(String subject) {
        return new InputChange(CacheMissReason.CONTENT_CHANGED, subject, "sha256:a", "sha256:b");
    }

    @Test
    void aChangedMountSource_isNamedByItsTargetAndSource_notByItsKeyIndex() throws Exception {
        // Keys number mounts in BuildKit's exec op order, by target: /b, /c, /o.
        assertEquals("content of bind mount at /b (context:src) changed: sha256:a -> sha256:b",
                MissReasons.readable(content("mount0"), step(0)).describe());
        assertEquals("content of bind mount at /o (builder:.) changed: sha256:a -> sha256:b",
                MissReasons.readable(content("mount2"), step(0)).describe());
    }

    @Test
    void aChangedCopyFromStage_namesTheStage() throws Exception {
        assertEquals("content of --from=builder changed: sha256:a -> sha256:b",
                MissReasons.readable(content("from"), step(1)).describe());
    }

    @Test
    void otherChanges_areLeftAsTheyAre() throws Exception {
        InputChange context = content("context");
        assertSame(context, MissReasons.readable(context, step(1)));
        InputChange arg = new InputChange(CacheMissReason.BUILD_ARG_CHANGED, "mount1", "1", "2");
        assertSame(arg, MissReasons.readable(arg, step(0)));
        assertEquals(List.of("previous step changed"), List.of(MissReasons.readable(
                new InputChange(CacheMissReason.PARENT_CHANGED, "", "a", "b"), step(0)).describe()));
    }
}
