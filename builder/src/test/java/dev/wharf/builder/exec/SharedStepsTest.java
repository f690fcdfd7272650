package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Equal steps of several stages run once and show once, as BuildKit's one vertex per op digest: real builds whose
 * shared RUN appends a line to a cache mount, so the mount's line count is the number of times it ran, and whose
 * progress events must show each shared step once. BuildKit (dockerd 26, the peer) prints one vertex for them with
 * {@code --no-cache} too, and also for RUN steps with private cache mounts, secrets and {@code --network}.
 */
class SharedStepsTest {
    /**
     * Stages a and b share their first three steps; the final stage copies what the shared RUN counted, and then a
     * file of the shared layer from a again, after b's tree linked the same snapshot files (which moved their change
     * time: the copy took that for a source changed mid-build).
     */
    private static final String SHARED = """
            FROM busybox:latest AS base
            RUN echo base > /base

            FROM base AS a
            WORKDIR /app
            COPY package.json .
            RUN --mount=type=cache,target=/c,sharing=private echo x >> /c/log && wc -l < /c/log > /count
            RUN echo a > /a

            FROM base AS b
            WORKDIR /app
            COPY package.json .
            RUN --mount=type=cache,target=/c,sharing=private echo x >> /c/log && wc -l < /c/log > /count
            RUN echo b > /b

            FROM busybox:latest
            COPY --from=a /count /a
            COPY --from=b /count /b
            COPY --from=a /app/package.json /package.json
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
        Files.writeString(context.resolve("package.json"), "{}\n");
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void equalStepsOfTwoStages_runOnceAndShowOnce_evenWithNoCache() throws Exception {
        List<BuildEvent> events = build(SHARED, b -> b.noCache(true));

        assertEquals(List.of("1", "1"), cat("/a", "/b"), "the shared RUN ran once, both stages have its result");
        assertEquals(1, started(events, "WORKDIR /app"), events.toString());
        assertEquals(1, started(events, "COPY package.json ."), events.toString());
        assertEquals(1, started(events, "echo x >> /c/log"), events.toString());
        assertEquals(1, started(events, "FROM docker.io/library/busybox:latest"),
                "base and the final stage start from busybox: one FROM vertex, as BuildKit's " + events);
        // The steps of their own still show, each under its stage with its place in it.
        assertEquals(List.of("a 4/4", "b 4/4"), events.stream()
                .filter(e -> e instanceof BuildEvent.StepStarted s && s.name().matches("RUN echo [ab] .*"))
                .map(e -> ((BuildEvent.StepStarted) e).stage() + " " + ((BuildEvent.StepStarted) e).index() + "/"
                        + ((BuildEvent.StepStarted) e).count()).sorted().toList());
        List<Integer> numbers = events.stream().filter(e -> e instanceof BuildEvent.StepStarted)
                .map(e -> ((BuildEvent.StepStarted) e).step()).toList();
        assertEquals(numbers.size(), numbers.stream().distinct().count(), "one vertex per number: " + events);
    }

    @Test
    void noCacheFilterOfOneStage_rerunsTheSharedStepOnce_forBothStages() throws Exception {
        build(SHARED, b -> b);
        assertEquals(List.of("1", "1"), cat("/a", "/b"));

        // BuildKit merges the cache-off metadata of equal vertices: the shared steps run afresh for b as well.
        List<BuildEvent> events = build(SHARED, b -> b.noCacheFilter("a"));

        assertEquals(List.of("2", "2"), cat("/a", "/b"), "the shared RUN ran once more, for both stages");
        assertEquals(1, started(events, "echo x >> /c/log"), events.toString());
        assertEquals(0, events.stream().filter(e -> e instanceof BuildEvent.StepCached c
                && c.step() == number(events, "echo x >> /c/log")).count(), events.toString());
        // base is no stage of the filter: its RUN is still a cache hit.
        assertEquals(1, events.stream().filter(e -> e instanceof BuildEvent.StepCached c
                && c.step() == number(events, "RUN echo base")).count(), events.toString());
    }

    @Test
    void aFailingSharedStep_failsTheBuildOnce_afterRunningOnce() throws Exception {
        String failing = """
                FROM busybox:latest AS base
                FROM base AS a
                RUN --mount=type=cache,target=/c,sharing=locked echo x >> /c/log && exit 3
                FROM base AS b
                RUN --mount=type=cache,target=/c,sharing=locked echo x >> /c/log && exit 3
                FROM busybox:latest
                COPY --from=a /bin/sh /a
                COPY --from=b /bin/sh /b
                """;
        List<BuildEvent> events = new CopyOnWriteArrayList<>();
        ExecutionException e = assertThrows(ExecutionException.class, () -> engine.build(request(failing, b -> b)
                .listener(events::add).build()).get(5, TimeUnit.MINUTES));

        BuildFailedException failed = assertInstanceOf(BuildFailedException.class, e.getCause());
        assertEquals(java.util.OptionalInt.of(3), failed.exitCode(), failed.getMessage());
        assertEquals(1, started(events, "exit 3"), events.toString());
        assertEquals(1, events.stream().filter(ev -> ev instanceof BuildEvent.StepFailed).count(), events.toString());

        build("FROM busybox:latest\nRUN --mount=type=cache,target=/c wc -l < /c/log > /n\n", b -> b.noCache(true));
        assertEquals(List.of("1"), cat("/n"), "the failing step ran once");
    }

    private List<BuildEvent> build(String dockerfile, UnaryOperator<BuildRequest.Builder> options) throws Exception {
        List<BuildEvent> events = new CopyOnWriteArrayList<>();
        engine.build(options.apply(request(dockerfile, b -> b)).listener(events::add).build())
                .get(5, TimeUnit.MINUTES);
        return events;
    }

    private BuildRequest.Builder request(String dockerfile, UnaryOperator<BuildRequest.Builder> options) {
        return options.apply(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest"));
    }

    private List<String> cat(String... files) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        List<String> command = new ArrayList<>(List.of("cat"));
        command.addAll(List.of(files));
        int code = engine.run("t:latest", command, (stream, line) -> out.add(line.strip()));
        assertEquals(0, code, out.toString());
        return out;
    }

    private static long started(List<BuildEvent> events, String text) {
        return events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && s.name().contains(text)).count();
    }

    private static int number(List<BuildEvent> events, String text) {
        return events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && s.name().contains(text))
                .map(e -> ((BuildEvent.StepStarted) e).step()).findFirst().orElseThrow();
    }
}
