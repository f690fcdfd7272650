package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: the JVM of a {@code wharf build} is killed with SIGKILL while a RUN step runs, and its store is then
 * deleted (or it was another store than the next command's): the run's cgroups, which only the run itself or a sweep
 * of its store's state directories removed, stayed on the host. Must hold: {@code wharf doctor} of any store reports
 * them, the next command that starts a sandbox removes them, and a build running meanwhile keeps its own.
 */
class KilledBuildCgroupsReliabilityTest {
    @TempDir
    Path work;

    @Test
    void cgroupsOfAKilledBuild_areReportedByDoctor_andRemovedByTheNextSandbox_butALiveBuildsAreKept()
            throws Exception {
        Path killedRoot = work.resolve("killed");
        Path liveRoot = work.resolve("live");
        CliHarness.importBusybox(work, killedRoot);
        CliHarness.importBusybox(work, liveRoot);
        Process live = build(liveRoot, "987771");
        Process killed = null;
        try {
            long liveSleeper = awaitSleeper(live, "987771");
            List<Path> liveCgroups = cgroupDirs(liveSleeper);
            assertFalse(liveCgroups.isEmpty(), "the live build's step runs in cgroups of its own");

            killed = build(killedRoot, "987772");
            long sleeper = awaitSleeper(killed, "987772");
            List<Path> stale = cgroupDirs(sleeper);
            assertFalse(stale.isEmpty(), "the step runs in cgroups of its own");
            killed.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertTrue(killed.waitFor(30, TimeUnit.SECONDS), "the killed JVM did not exit");
            // The sandbox dies with the JVM (parent-death signal); its cgroups stay, empty.
            for (int i = 0; i < 200 && ProcessHandle.of(sleeper).isPresent(); i++) {
                Thread.sleep(50);
            }
            assertFalse(ProcessHandle.of(sleeper).isPresent(), "the killed build's step outlived it");
            assertTrue(stale.stream().allMatch(Files::isDirectory), "a killed JVM leaves its run's cgroups: " + stale);
            FileTrees.delete(killedRoot); // nothing of its store tells of them any more

            CliHarness.Outcome doctor = CliHarness.wharf("doctor", "--root", liveRoot.toString());
            for (Path dir : stale) {
                assertTrue(doctor.out().contains("problem  stale-cgroup " + dir + ": "), doctor.out());
            }
            for (Path dir : liveCgroups) {
                assertFalse(doctor.out().contains(dir.toString()), doctor.out());
            }
            assertTrue(stale.stream().allMatch(Files::isDirectory), "doctor without --repair removed cgroups");

            // The next sandbox (here a `wharf run` on the live build's store, alongside it) sweeps them.
            Path log = work.resolve("run.log");
            Process run = CliHarness.start(log, "run", "--root", liveRoot.toString(), "busybox:latest", "true");
            assertTrue(run.waitFor(120, TimeUnit.SECONDS), "wharf run did not end");
            assertEquals(0, run.exitValue(), Files.readString(log));
            for (Path dir : stale) {
                assertFalse(Files.exists(dir), "the killed build's cgroup outlived the next sandbox: " + dir);
            }
            assertTrue(liveCgroups.stream().allMatch(Files::isDirectory), "a live build's cgroup was removed");
            assertTrue(ProcessHandle.of(liveSleeper).map(ProcessHandle::isAlive).orElse(false),
                    "the live build's step was disturbed");
        } finally {
            live.destroy(); // SIGTERM: the live build cancels and removes its own
            assertTrue(live.waitFor(60, TimeUnit.SECONDS), "the live build did not end");
            if (killed != null) {
                killed.destroyForcibly();
            }
        }
    }

    private Process build(Path root, String sleepArg) throws IOException {
        Path context = Files.createDirectories(work.resolve("ctx-" + sleepArg));
        Files.writeString(context.resolve("Dockerfile"),
                "FROM busybox:latest\nRUN sleep " + sleepArg + " & echo started; wait\n");
        return CliHarness.start(work.resolve("build-" + sleepArg + ".log"), "build", "--root", root.toString(),
                "--progress", "plain", context.toString());
    }

    /** The pid of the step's {@code sleep ARG}, once it runs. */
    private long awaitSleeper(Process build, String sleepArg) throws Exception {
        for (int i = 0; i < 1200; i++) {
            assertTrue(build.isAlive(), "the build ended early");
            long pid = ReliabilityFixture.pidRunning("sleep", sleepArg);
            if (pid != 0) {
                return pid;
            }
            Thread.sleep(50);
        }
        return fail("the sandboxed sleep did not start");
    }

    /** The directories of the {@code wharf-<id>} cgroups {@code pid} is in, in every hierarchy. */
    private static List<Path> cgroupDirs(long pid) throws IOException {
        List<String> names = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                .flatMap(l -> Stream.of(l.substring(l.indexOf(':', l.indexOf(':') + 1) + 1).split("/")))
                .filter(n -> n.matches("wharf-[0-9a-f]{24}([0-9a-f]{8})?")).distinct().toList();
        List<Path> dirs = new ArrayList<>();
        for (String name : names) {
            try (Stream<Path> found = Files.find(Path.of("/sys/fs/cgroup"), 4,
                    (p, a) -> a.isDirectory() && p.getFileName() != null && p.getFileName().toString().equals(name))) {
                found.forEach(dirs::add);
            }
        }
        return dirs;
    }
}
