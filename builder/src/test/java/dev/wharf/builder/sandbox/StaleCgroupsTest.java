package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link StaleCgroups} on the host's real cgroup hierarchies, under a parent of the test's own (so no other build's
 * runs are ever looked at): a dead owner's empty run goes, a live owner's run, an older wharf's pid-less run and a
 * dead owner's run with a process still in it stay.
 */
class StaleCgroupsTest {
    @Test
    void sweep_removesOnlyEmptyRunsOfDeadOwners() throws Exception {
        HostRequirements.requireRoot();
        Path pids = CgroupDirs.mounts().stream().filter(m -> m.options().contains("pids")
                        || m.type().equals("cgroup2")).map(CgroupDirs.CgroupMount::point).findFirst().orElse(null);
        HostRequirements.require(pids != null && Files.isWritable(pids), "a writable pids or cgroup2 hierarchy");
        String parent = "wharf-test-" + UUID.randomUUID();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        Random random = new Random();
        long ns = RunOwners.current().orElse(0);
        String dead = RunId.create(deadPid, ns, random);
        String busy = RunId.create(deadPid, ns, random);
        String alive = RunId.create(1, ns, random); // init never dies
        String older = "wharf-" + "0123456789abcdef01234567"; // all random: no pid read into it
        Path base = pids.resolve(parent);
        Process sleeper = null;
        try {
            for (String id : List.of(dead, busy, alive, older)) {
                Files.createDirectories(base.resolve(id).resolve("ctr"));
            }
            sleeper = new ProcessBuilder("sleep", "60").start();
            Files.writeString(base.resolve(busy).resolve("ctr/cgroup.procs"), Long.toString(sleeper.pid()));

            List<StaleCgroups.Found> listed = StaleCgroups.sweep(parent, false);
            assertEquals(Set.of(base.resolve(dead), base.resolve(busy)),
                    listed.stream().map(StaleCgroups.Found::dir).collect(Collectors.toSet()), "dead owners' runs");
            assertTrue(listed.stream().noneMatch(StaleCgroups.Found::removed), "a listing removes nothing");
            assertTrue(Files.isDirectory(base.resolve(dead)));

            List<StaleCgroups.Found> swept = StaleCgroups.sweep(parent, true);
            assertEquals(List.of(new StaleCgroups.Found(base.resolve(dead), true),
                    new StaleCgroups.Found(base.resolve(busy), false)), sorted(swept));
            assertFalse(Files.exists(base.resolve(dead)));
            assertTrue(Files.isDirectory(base.resolve(busy).resolve("ctr")), "a process is still in it");
            assertTrue(Files.isDirectory(base.resolve(alive)), "its owner lives");
            assertTrue(Files.isDirectory(base.resolve(older)), "an older wharf's run may be alive");

            sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertEquals(List.of(new StaleCgroups.Found(base.resolve(busy), true)),
                    retrySweep(parent, base.resolve(busy)));
            assertFalse(Files.exists(base.resolve(busy)));
        } finally {
            if (sleeper != null) {
                sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            removeAll(base);
        }
    }

    /** The last process leaves its cgroup a moment after it is reaped: sweep until it is removable. */
    private static List<StaleCgroups.Found> retrySweep(String parent, Path dir) throws InterruptedException {
        List<StaleCgroups.Found> swept = List.of();
        for (int i = 0; i < 100 && Files.exists(dir); i++) {
            swept = StaleCgroups.sweep(parent, true);
            Thread.sleep(20);
        }
        return swept;
    }

    private static List<StaleCgroups.Found> sorted(List<StaleCgroups.Found> found) {
        List<StaleCgroups.Found> out = new ArrayList<>(found);
        out.sort(Comparator.comparing((StaleCgroups.Found f) -> !f.removed()));
        return out;
    }

    private static void removeAll(Path base) throws Exception {
        if (!Files.isDirectory(base)) {
            return;
        }
        try (var walk = Files.walk(base)) {
            for (Path p : walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A wharf in another pid namespace (a container's) named its runs by a pid of that namespace: a number that
     * means another process here, or none. Its live run stays although no process here has its pid, a dead one
     * goes although a process here has it, and once the namespace is gone its runs go too (judged from the host's
     * initial namespace; from any other an invisible namespace may be a sibling's and its runs stay).
     */
    @Test
    void sweep_judgesOwnersOfOtherPidNamespaces_byThatNamespacesPids() throws Exception {
        HostRequirements.requireRoot();
        Path pids = CgroupDirs.mounts().stream().filter(m -> m.options().contains("pids")
                        || m.type().equals("cgroup2")).map(CgroupDirs.CgroupMount::point).findFirst().orElse(null);
        HostRequirements.require(pids != null && Files.isWritable(pids), "a writable pids or cgroup2 hierarchy");
        HostRequirements.require(RunOwners.current().isPresent(), "/proc/self/ns/pid");
        // The owner's pid inside its namespace is set beyond this namespace's pid_max: no process here has it.
        Process holder;
        try {
            holder = new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "sh", "-c",
                    "echo 3999990 > /proc/sys/kernel/ns_last_pid; sleep 60 & echo $!; wait").start();
        } catch (java.io.IOException e) {
            HostRequirements.require(false, "unshare(1): " + e.getMessage());
            return;
        }
        String parent = "wharf-test-" + UUID.randomUUID();
        Path base = pids.resolve(parent);
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()))
                    .readLine();
            HostRequirements.require(line != null && line.trim().matches("[0-9]+"),
                    "a pid namespace of its own (unshare --pid printed " + line + ")");
            long inner = Long.parseLong(line.trim());
            HostRequirements.require(ProcessHandle.of(inner).isEmpty(), "pid " + inner + " is free here");
            long sh = ProcessHandle.of(holder.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
            String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(sh), "ns", "pid")).toString();
            long ns = Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
            Random random = new Random();
            String live = RunId.create(inner, ns, random);
            String dead = RunId.create(inner + 1, ns, random);
            String pidAliveHere = RunId.create(ProcessHandle.current().pid(), ns, random);
            String goneNamespace = RunId.create(7, 0x0BADBEEFL, random);
            for (String id : List.of(live, dead, pidAliveHere, goneNamespace)) {
                Files.createDirectories(base.resolve(id).resolve("ctr"));
            }
            boolean initial = RunOwners.current().getAsLong() == RunOwners.INITIAL_PID_NAMESPACE;

            StaleCgroups.sweep(parent, true);
            assertTrue(Files.isDirectory(base.resolve(live)), "its owner lives in its own namespace");
            assertFalse(Files.exists(base.resolve(dead)), "its namespace is seen, without the owner");
            assertFalse(Files.exists(base.resolve(pidAliveHere)), "a process here has the pid, not its owner");
            assertEquals(!initial, Files.exists(base.resolve(goneNamespace)),
                    "a namespace none of whose processes is seen is gone only when seen from the initial one");

            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (int i = 0; i < 100 && ProcessHandle.of(sh).isPresent(); i++) {
                Thread.sleep(20);
            }
            StaleCgroups.sweep(parent, true);
            assertEquals(!initial, Files.exists(base.resolve(live)), "its namespace ended with its owner");
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            removeAll(base);
        }
    }
}
