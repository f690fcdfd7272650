package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: {@code wharf build} in a child JVM is killed with SIGKILL at a seeded random moment (JVM start, store
 * open, ADD of an archive, COPY, RUN steps, cache writes, image writing), {@value #DEFAULT_RUNS} times, with the
 * build cache sometimes pruned first so later kills land in real work again. Must hold after each kill: no process
 * and no mount of the killed build remains, the next build succeeds with exactly the image a serial build gives,
 * no sandbox state is left once it ran, and {@code wharf doctor} finds nothing wrong.
 *
 * <p>{@code -Dwharf.reliability.runs=N} and {@code -Dwharf.reliability.seed=S} change the run count and the seed.
 */
@Tag("reliability")
class CrashReliabilityTest {
    static final int DEFAULT_RUNS = 50;
    private static final Pattern STEP = Pattern.compile("^#(\\d+) \\[", Pattern.MULTILINE);

    @TempDir
    Path work;

    @Test
    void killedBuilds_leaveNothingRunning_andTheNextBuildIsCorrect_andDoctorFindsNothing() throws Exception {
        int runs = Integer.getInteger("wharf.reliability.runs", DEFAULT_RUNS);
        long seed = Long.getLong("wharf.reliability.seed", 20261127L);
        ReliabilityFixture fixture = ReliabilityFixture.create(work);
        Path root = work.resolve("crash-store");
        fixture.copySeed(root);
        Random random = new Random(seed);

        // One uninterrupted child build measures how long JVM start and the whole build take here.
        long started = System.nanoTime();
        Path fullLog = work.resolve("full.log");
        Process full = CliHarness.start(fullLog, fixture.buildArgs(root, 99).toArray(String[]::new));
        long startupMillis = -1;
        while (!full.waitFor(20, TimeUnit.MILLISECONDS)) {
            if (startupMillis < 0 && Files.readString(fullLog).contains("#1 [")) {
                startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            }
        }
        assertEquals(0, full.exitValue(), Files.readString(fullLog));
        long fullMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        startupMillis = startupMillis < 0 ? 0 : startupMillis;

        Map<String, Integer> reached = new TreeMap<>();
        int finishedBeforeKill = 0;
        for (int run = 0; run < runs; run++) {
            int v = random.nextInt(6);
            if (random.nextInt(3) == 0) {
                Outcome pruned = wharf("prune", "--root", root.toString(), "--all", "--grace-period", "0s");
                assertEquals(0, pruned.exitCode(), pruned.err());
            }
            // A quarter of the kills anywhere (JVM start, store open included), the rest while steps run.
            long delay = random.nextInt(4) == 0 ? (long) (random.nextDouble() * fullMillis)
                    : startupMillis + (long) (random.nextDouble() * (fullMillis - startupMillis) * 1.05);
            Path log = work.resolve("run-" + run + ".log");
            Process child = CliHarness.start(log, fixture.buildArgs(root, v).toArray(String[]::new));
            if (child.waitFor(delay, TimeUnit.MILLISECONDS)) {
                finishedBeforeKill++;
            } else {
                child.destroyForcibly(); // SIGKILL
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed JVM did not exit");
            }
            reached.merge(phase(Files.readString(log)), 1, Integer::sum);
            String what = "run " + run + " (seed " + seed + ", V=" + v + ", kill after " + delay + " ms)";

            awaitNoProcesses(root, what);
            assertEquals(List.of(), ReliabilityFixture.mountsUnder(root), what + ": mounts left");

            Outcome next = wharf(fixture.buildArgs(root, v).toArray(String[]::new));
            assertEquals(0, next.exitCode(), what + ": the next build failed:\n" + next.err());
            assertEquals(fixture.expectedId(v), next.out().strip(), what + ": the next build differs from a "
                    + "serial build");
            assertEquals(List.of(), ReliabilityFixture.sandboxRuns(root), what + ": sandbox state left");
            Outcome doctor = wharf("doctor", "--root", root.toString());
            assertEquals(0, doctor.exitCode(), what + ": doctor found problems:\n" + doctor.out() + doctor.err());
        }
        // Report of the campaign, for the test log and the closing note.
        System.out.println("crash campaign: " + runs + " runs, seed " + seed + ", full build " + fullMillis
                + " ms (first step after " + startupMillis + " ms), finished before the kill " + finishedBeforeKill + ", last step reached when killed: "
                + reached);
        assertTrue(reached.size() >= 3, "kills should land in several phases: " + reached);
    }

    /** The last build step the child's progress showed, or where it was before the first step. */
    private static String phase(String log) {
        Matcher m = STEP.matcher(log);
        String last = "before step 1";
        while (m.find()) {
            last = "step " + m.group(1);
        }
        if (log.contains("writing image")) {
            last = "writing image";
        }
        return last;
    }

    private static void awaitNoProcesses(Path root, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> left = ReliabilityFixture.processesUnder(root);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = ReliabilityFixture.processesUnder(root);
        }
        assertEquals(List.of(), left, what + ": processes of the killed build outlived it");
    }
}
