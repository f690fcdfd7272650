package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which steps {@code --no-cache-filter STAGE} reruns, as measured with buildx 0.13 against the peer's BuildKit on
 * this very Dockerfile: the stage's own steps, and every step chained on them (the steps of a stage built
 * {@code FROM} it, and theirs), which BuildKit can no longer look up; a step that reads the stage's files by
 * content ({@code COPY --from}) stays cached, and so does everything after it.
 */
class NoCacheFilterChainTest {
    private static final String DOCKERFILE = """
            FROM busybox:latest AS base
            RUN echo base > /b
            FROM base AS child
            RUN echo child > /c
            RUN echo child2 > /c2
            FROM busybox:latest AS other
            COPY --from=base /b /b
            RUN echo other > /o
            FROM busybox:latest
            COPY --from=child /c /c
            COPY --from=other /o /o
            RUN echo final > /f
            """;

    @TempDir
    Path temp;
    private BuildEngine engine;
    private Path context;

    @BeforeEach
    void engine() throws Exception {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))), "busybox:latest");
        context = Files.createDirectories(temp.resolve("ctx"));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aFilteredStage_rerunsTheStagesBuiltFromIt_butNotItsContentReaders() throws Exception {
        build(b -> b);

        assertEquals(Set.of("[base 2/2] RUN echo base > /b", "[child 1/2] RUN echo child > /c",
                "[child 2/2] RUN echo child2 > /c2"), ran(build(b -> b.noCacheFilter("base"))));
        // Nothing of that is remembered as stale: the next plain build is all cache hits, as with buildx.
        assertEquals(Set.of(), ran(build(b -> b)));
        assertEquals(Set.of("[child 1/2] RUN echo child > /c", "[child 2/2] RUN echo child2 > /c2"),
                ran(build(b -> b.noCacheFilter("child"))));
        assertEquals(Set.of("[other 2/3] COPY --from=base /b /b", "[other 3/3] RUN echo other > /o"),
                ran(build(b -> b.noCacheFilter("other"))));
    }

    private List<BuildEvent> build(UnaryOperator<BuildRequest.Builder> options) throws Exception {
        List<BuildEvent> events = new CopyOnWriteArrayList<>();
        BuildRequest.Builder request = BuildRequest.builder(context).dockerfileText(DOCKERFILE).tag("t:latest");
        engine.build(options.apply(request).listener(events::add).build()).get(5, TimeUnit.MINUTES);
        return events;
    }

    /** The filesystem steps that ran (started, not cached), as {@code [stage i/n] TEXT}. */
    private static Set<String> ran(List<BuildEvent> events) {
        Set<Integer> cached = events.stream().filter(e -> e instanceof BuildEvent.StepCached)
                .map(e -> ((BuildEvent.StepCached) e).step()).collect(Collectors.toSet());
        return events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && !cached.contains(s.step())
                        && !s.name().startsWith("FROM") && !s.stage().equals("internal"))
                .map(e -> (BuildEvent.StepStarted) e)
                .map(s -> "[" + s.stage() + " " + s.index() + "/" + s.count() + "] " + s.name())
                .collect(Collectors.toSet());
    }
}
