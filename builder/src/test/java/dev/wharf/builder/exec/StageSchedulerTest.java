package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.ImageResolutionException;
import dev.wharf.builder.plan.Platform;
import dev.wharf.builder.plan.PlanRequest;
import dev.wharf.builder.plan.Planner;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StageSchedulerTest {

    @Test
    @Timeout(60)
    void aFailureWhileAnotherStageWaitsInTheQueue_endsTheBuildWithThatFailure() throws Exception {
        // Three independent stages on two threads: the third is still queued when the first fails. The pool's
        // shutdown drops it, so its future never completes; the build must end anyway (it used to hang).
        BuildPlan plan = new Planner((reference, platform) -> {
            throw new ImageResolutionException("no images here: " + reference);
        }).plan(DockerfileReader.read(DockerfileParser.parse("""
                FROM scratch AS a
                COPY a /a
                FROM scratch AS b
                COPY b /b
                FROM scratch AS c
                COPY c /c
                FROM scratch
                COPY --from=a /a /a
                COPY --from=b /b /b
                COPY --from=c /c /c
                """)), PlanRequest.of(Platform.of("linux", "amd64", "")));
        CountDownLatch bothStarted = new CountDownLatch(2);
        Set<String> started = ConcurrentHashMap.newKeySet();
        BuildFailedException failure = new BuildFailedException("COPY a /a", "Dockerfile", 2, null, "boom", null);
        BuildFailedException thrown = assertThrows(BuildFailedException.class,
                () -> new StageScheduler(plan, 2).run(stage -> {
                    started.add(stage.name().orElse("final"));
                    bothStarted.countDown();
                    bothStarted.await();
                    if (stage.index() == 0) {
                        throw failure;
                    }
                    Thread.sleep(60_000);
                    return null;
                }));
        assertEquals(failure, thrown);
        assertTrue(!started.contains("c") && !started.contains("final"), "started: " + started);
    }

    @Test
    @Timeout(60)
    void anInternalErrorOfAStageAnotherWaitsFor_isReported_notTheWaitersWakeUp() throws Exception {
        // The final stage waits in awaitStage for build, which fails with a bug (no BuildFailedException): the
        // waiter's InterruptedException must not become the reported cause (a cancel, with the trace lost).
        BuildPlan plan = plan(LAYERED_JAR);
        CountDownLatch finalWaits = new CountDownLatch(1);
        IllegalArgumentException bug = new IllegalArgumentException("a bug");
        StageScheduler scheduler = new StageScheduler(plan, 2);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> scheduler.run(stage -> {
            if (stage.index() == 0) {
                assertTrue(finalWaits.await(20, java.util.concurrent.TimeUnit.SECONDS));
                Thread.sleep(100); // the final stage is inside awaitStage by now
                throw bug;
            }
            finalWaits.countDown();
            scheduler.awaitStage(0);
            return null;
        }));
        assertEquals(bug, thrown.getCause());
    }

    private static BuildPlan plan(String dockerfile) throws Exception {
        return new Planner((reference, platform) -> {
            throw new ImageResolutionException("no images here: " + reference);
        }).plan(DockerfileReader.read(DockerfileParser.parse(dockerfile)),
                PlanRequest.of(Platform.of("linux", "amd64", "")));
    }

    private static final String LAYERED_JAR = """
            FROM scratch AS build
            COPY pom.xml /pom.xml
            FROM scratch
            COPY passwd /etc/passwd
            COPY --from=build /pom.xml /app/
            """;

    @Test
    @Timeout(60)
    void aStageStartsBeforeTheStageItCopiesFrom_isDone_andItsStepWaitsForIt() throws Exception {
        // BuildKit runs the final stage's first steps while the build stage still runs: only the COPY --from waits.
        BuildPlan plan = plan(LAYERED_JAR);
        CountDownLatch finalStarted = new CountDownLatch(1);
        java.util.List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        StageScheduler scheduler = new StageScheduler(plan, 2);
        scheduler.run(stage -> {
            if (stage.index() == 0) {
                assertTrue(finalStarted.await(20, java.util.concurrent.TimeUnit.SECONDS),
                        "the final stage did not start while the build stage ran");
                events.add("build done");
            } else {
                events.add("final started");
                finalStarted.countDown();
                scheduler.awaitStage(0);
                events.add("final copies from build");
            }
            return null;
        });
        assertEquals(java.util.List.of("final started", "build done", "final copies from build"), events);
    }

    @Test
    @Timeout(60)
    void aStageWaitingForAnother_lendsItsPlace_soOneThreadIsEnough() throws Exception {
        // One thread: base runs, then final (queued before build, which waits for base) takes the thread and waits
        // for build, which must get a place of its own or the build would hang.
        BuildPlan plan = plan("""
                FROM scratch AS base
                COPY jdk /opt/jdk
                FROM base AS build
                COPY pom.xml /pom.xml
                FROM scratch
                COPY --from=build /pom.xml /app/
                """);
        java.util.List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        StageScheduler scheduler = new StageScheduler(plan, 1);
        scheduler.run(stage -> {
            String name = stage.name().orElse("final");
            if (name.equals("base")) {
                Thread.sleep(300); // final is queued meanwhile, ahead of build
            } else if (name.equals("final")) {
                events.add("final waits");
                scheduler.awaitStage(1);
            }
            events.add(name + " done");
            return null;
        });
        assertEquals(java.util.List.of("base done", "final waits", "build done", "final done"), events);
    }

    @Test
    @Timeout(60)
    void aWaiterResumingWhileItsLentPlaceIsTaken_waitsForAPlace_soTheBoundHolds() throws Exception {
        // One place: base runs, then final (queued before x, which waits for base) runs and waits for x, lending
        // its place; x runs on the lent thread and its end queues z, which that thread takes at once. final's
        // wait is over too: without a place of its own again it ran beside z, two stages on one place.
        BuildPlan plan = plan("""
                FROM scratch AS base
                COPY a /a
                FROM base AS x
                COPY x /x
                FROM x AS z
                COPY z /z
                FROM scratch
                COPY --from=x /x /x
                COPY --from=z /z /z
                """);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        Set<String> done = ConcurrentHashMap.newKeySet();
        StageScheduler scheduler = new StageScheduler(plan, 1);
        scheduler.run(stage -> {
            String name = stage.name().orElse("final");
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            if (name.equals("base")) {
                Thread.sleep(200); // final is queued meanwhile, ahead of x
            } else if (name.equals("final")) {
                running.decrementAndGet();
                scheduler.awaitStage(1);
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.sleep(300); // z, queued when x ended, would run now
                running.decrementAndGet();
                scheduler.awaitStage(2);
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
            } else if (name.equals("z")) {
                Thread.sleep(300);
            }
            running.decrementAndGet();
            done.add(name);
            return null;
        });
        assertEquals(Set.of("base", "x", "z", "final"), done);
        assertEquals(1, most.get(), "stages running at once with one place");
    }
}
