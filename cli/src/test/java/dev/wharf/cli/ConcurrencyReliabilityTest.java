package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.cli.CliHarness.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: four builds at once on one store, sharing the base image and (two by two) every cache entry, each tagging
 * its own name and one shared name: in four CLI processes, and in one JVM through one engine and through four
 * engines. Must hold: all succeed, each image equals the serial build of its variant, every name is in the store's
 * index (no update lost, no torn file), and {@code wharf doctor} finds no torn blob, missing reference or leftover.
 */
@Tag("reliability")
class ConcurrencyReliabilityTest {
    private static final int[] VARIANTS = {11, 11, 12, 12};

    @TempDir
    Path work;
    ReliabilityFixture fixture;
    Path root;

    @BeforeEach
    void store() throws Exception {
        fixture = ReliabilityFixture.create(work);
        root = work.resolve("shared-store");
        fixture.copySeed(root);
    }

    @Test
    void fourCliProcesses_allSucceed_withSerialResults_andNoLostTag() throws Exception {
        List<Process> builds = new ArrayList<>();
        for (int i = 0; i < VARIANTS.length; i++) {
            List<String> args = fixture.buildArgs(root, VARIANTS[i]);
            args.addAll(1, List.of("-t", "own" + i + ":1", "-t", "shared:1"));
            builds.add(CliHarness.start(work.resolve("cli-" + i + ".log"), args.toArray(String[]::new)));
        }
        for (int i = 0; i < builds.size(); i++) {
            Process p = builds.get(i);
            String log = work.resolve("cli-" + i + ".log").toString();
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "build " + i + " hung");
            String output = Files.readString(Path.of(log));
            assertEquals(0, p.exitValue(), "build " + i + ":\n" + output);
            List<String> lines = output.lines().toList();
            assertEquals(fixture.expectedId(VARIANTS[i]), lines.get(lines.size() - 1), "build " + i);
        }
        assertStoreWhole(true);
    }

    @Test
    void buildsWhileAPruneWithoutGracePeriodRuns_allSucceed_withSerialResults_andNoBlobIsLost() throws Exception {
        // Two builds of one variant and one of another, each writing new layers, while prune --all with no grace
        // period runs again and again: it used to delete their layers before they were tagged ("the store lacks
        // ...layer...", every build failed).
        int[] variants = {21, 21, 22};
        List<Process> builds = new ArrayList<>();
        for (int i = 0; i < variants.length; i++) {
            List<String> args = fixture.buildArgs(root, variants[i]);
            args.addAll(1, List.of("-t", "own" + i + ":1"));
            builds.add(CliHarness.start(work.resolve("pruned-" + i + ".log"), args.toArray(String[]::new)));
        }
        int prunes = 0;
        while (builds.stream().anyMatch(Process::isAlive)) {
            Outcome pruned = wharf("prune", "--root", root.toString(), "--all", "--grace-period", "0s");
            assertEquals(0, pruned.exitCode(), pruned.err());
            prunes++;
        }
        for (int i = 0; i < builds.size(); i++) {
            Process p = builds.get(i);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "build " + i + " hung");
            String output = Files.readString(work.resolve("pruned-" + i + ".log"));
            assertEquals(0, p.exitValue(), "build " + i + " (after " + prunes + " prunes):\n" + output);
            List<String> lines = output.lines().toList();
            assertEquals(fixture.expectedId(variants[i]), lines.get(lines.size() - 1), "build " + i);
        }
        assertTrue(prunes > 0);
        Outcome pruned = wharf("prune", "--root", root.toString(), "--grace-period", "0s");
        assertEquals(0, pruned.exitCode(), pruned.err());
        assertStoreWhole(false, variants.length);
    }

    @Test
    void fourBuildsInOneJvm_throughOneEngineAndThroughFourEngines_allSucceed_withSerialResults() throws Exception {
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(root))) {
            List<CompletableFuture<BuildResult>> results = new ArrayList<>();
            for (int i = 0; i < VARIANTS.length; i++) {
                results.add(engine.build(request(i, "own" + i + ":1")));
            }
            for (int i = 0; i < VARIANTS.length; i++) {
                assertEquals(fixture.expectedId(VARIANTS[i]), results.get(i).get(300, TimeUnit.SECONDS).imageId(),
                        "build " + i + " through one engine");
            }
        }
        List<BuildEngine> engines = new ArrayList<>();
        try {
            List<CompletableFuture<BuildResult>> results = new ArrayList<>();
            for (int i = 0; i < VARIANTS.length; i++) {
                BuildEngine engine = BuildEngine.create(EngineOptions.of(root));
                engines.add(engine);
                // Other variants than above, so the four engines build rather than hit the cache.
                results.add(engine.build(BuildRequest.builder(fixture.context()).storeRoot(root)
                        .buildArg("V", Integer.toString(VARIANTS[i] + 10))
                        .sourceDateEpoch(Long.parseLong(ReliabilityFixture.EPOCH)).tag("engine" + i + ":1")
                        .tag("shared:1").build()));
            }
            for (int i = 0; i < VARIANTS.length; i++) {
                assertEquals(fixture.expectedId(VARIANTS[i] + 10), results.get(i).get(300, TimeUnit.SECONDS)
                        .imageId(), "build " + i + " through its own engine");
            }
        } finally {
            engines.forEach(BuildEngine::close);
        }
        Outcome images = wharf("images", "--root", root.toString());
        for (int i = 0; i < VARIANTS.length; i++) {
            assertTrue(images.out().contains("engine" + i), images.out());
        }
        assertStoreWhole(true);
    }

    private BuildRequest request(int i, String tag) {
        return BuildRequest.builder(fixture.context()).storeRoot(root).buildArg("V", Integer.toString(VARIANTS[i]))
                .sourceDateEpoch(Long.parseLong(ReliabilityFixture.EPOCH)).tag(tag).tag("shared:1").build();
    }

    private void assertStoreWhole(boolean shared) throws Exception {
        assertStoreWhole(shared, VARIANTS.length);
    }

    private void assertStoreWhole(boolean shared, int builds) throws Exception {
        Outcome images = wharf("images", "--root", root.toString());
        assertEquals(0, images.exitCode(), images.err());
        for (int i = 0; i < builds; i++) {
            assertTrue(images.out().contains("own" + i), "tag own" + i + " lost:\n" + images.out());
        }
        assertTrue(!shared || images.out().contains("shared"), images.out());
        Outcome doctor = wharf("doctor", "--root", root.toString());
        assertEquals(0, doctor.exitCode(), doctor.out() + doctor.err());
        assertEquals(List.of(), ReliabilityFixture.sandboxRuns(root));
        assertEquals(List.of(), ReliabilityFixture.processesUnder(root));
    }
}
