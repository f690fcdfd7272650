package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.testing.BusyboxRootfs;
import dev.wharf.builder.testing.HostRequirements;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * cgroup limits ({@code --memory}, {@code --cpus}, {@code --pids-limit}) in real runc, crun and built-in sandboxes:
 * a step over its memory ends as out of memory, a fork bomb ends at the pids limit, the CPU quota is set on the
 * step's cgroup, and cancelling freezes and kills the whole cgroup; nothing is left behind.
 */
class ResourceLimitsTest {
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path temp;
    OverlaySnapshotter snapshotter;
    Path hosts;
    Path resolv;
    java.util.Set<Path> before;

    @BeforeEach
    void base() throws Exception {
        HostRequirements.requireRoot();
        snapshotter = new OverlaySnapshotter(temp.resolve("snapshots"));
        List<Mount> extract = snapshotter.prepare("extract", null);
        BusyboxRootfs.extract(Path.of(extract.get(0).writableDir().orElseThrow()));
        snapshotter.commit("base", "extract");
        hosts = EtcFiles.writeHosts(temp.resolve("hosts"), SandboxSpec.DEFAULT_HOSTNAME);
        resolv = Files.writeString(temp.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
        before = new java.util.HashSet<>();
        for (Path hierarchy : CgroupDirs.hierarchies()) {
            Path parent = hierarchy.resolve(OciSpecFactory.DEFAULT_CGROUP_PARENT);
            if (Files.isDirectory(parent)) {
                try (var dirs = Files.walk(parent)) {
                    dirs.forEach(before::add);
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    // (Unchecked: a cgroup removed during the walk, e.g. by another build's run on this host.)
                    // Changing under us: what is left over is checked again at the end.
                }
            }
        }
    }

    private SandboxSpec spec(String script, ResourceLimits limits) throws Exception {
        return SandboxSpec.builder(snapshotter.prepare("run-" + KEYS.incrementAndGet(), "base"),
                List.of("/bin/sh", "-c", script), hosts, resolv).env(List.of("PATH=/bin")).resources(limits).build();
    }

    private ExitStatus run(String runtime, String script, ResourceLimits limits, List<String> out)
            throws Exception {
        return CrashTest.sandbox(runtime, temp.resolve("state")).run(spec(script, limits), (s, line) -> out.add(line));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"builtin", "runc", "crun"})
    void stepOverItsMemory_endsAsOutOfMemory_andOneUnderItSucceeds(String runtime) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        ResourceLimits limits = ResourceLimits.none().withMemory(24 * MIB);
        ExitStatus hog = run(runtime, "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived ${#x}",
                limits, out);
        assertEquals(ExitStatus.Termination.OUT_OF_MEMORY, hog.termination(), hog + " " + out);
        ExitStatus small = run(runtime, "x=$(head -c 1000000 /dev/zero | tr '\\0' a); echo ${#x}", limits, out);
        assertTrue(small.success(), small + " " + out);
        assertTrue(out.contains("1000000"), out.toString());
        assertNoCgroupLeft();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"builtin", "runc", "crun"})
    void forkBomb_endsAtThePidsLimit(String runtime) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        ExitStatus bomb = run(runtime, "set -e; i=0; while [ $i -lt 2000 ]; do sleep 30 & i=$((i+1)); done",
                ResourceLimits.none().withPids(16), out);
        if (runtime.equals("crun")) {
            // crun 1.8 deletes the container's cgroup, and its count of refused forks, at exit (no --keep).
            assertEquals(2, bomb.code(), bomb + " " + out);
            assertTrue(out.toString().contains("can't fork"), out.toString());
        } else {
            assertEquals(ExitStatus.Termination.PIDS_LIMIT, bomb.termination(), bomb + " " + out);
        }
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(25), "the bomb ended at the limit");
        assertNoCgroupLeft();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"builtin", "runc", "crun"})
    void cpuQuota_isOnTheStepsCgroup_andCancelFreezesAndKillsEverything(String runtime) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Sandbox sandbox = CrashTest.sandbox(runtime, temp.resolve("state"));
        SandboxSpec spec = spec("echo started; i=0; while [ $i -lt 50 ]; do sleep 987600 & i=$((i+1)); done; wait",
                ResourceLimits.none().withCpus(0.5));
        try (SandboxProcess process = sandbox.start(spec, (s, line) -> out.add(line))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!out.contains("started") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(300);
            Optional<Path> cpu = cpuCgroupOf("987600");
            assertTrue(cpu.isPresent(), "the sleeps run in a cpu cgroup");
            assertEquals("50000", Files.readString(cpu.get().resolve("cpu.cfs_quota_us")).strip());
            process.cancel();
            assertEquals(ExitStatus.Termination.CANCELLED, process.waitFor().termination());
        }
        assertFalse(SandboxContract.processesRunning("987600"), "a sleep outlived the cancel");
        assertNoCgroupLeft();
    }

    /** The host directory of the v1 cpu cgroup of a process whose command line contains {@code marker}. */
    private static Optional<Path> cpuCgroupOf(String marker) throws Exception {
        Path cpuMount = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains(" - cgroup ") && line.matches(".*[ ,]cpu(,.*)?$")) {
                cpuMount = Path.of(line.split(" ")[4]);
            }
        }
        HostRequirements.require(cpuMount != null, "no cgroup v1 cpu hierarchy on this host");
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            String cmdline;
            try {
                cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")));
            } catch (Exception e) {
                continue;
            }
            if (!cmdline.contains(marker)) {
                continue;
            }
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "cgroup"))) {
                String[] parts = line.split(":", 3);
                if (List.of(parts[1].split(",")).contains("cpu") && parts[2].startsWith("/wharf/")) {
                    return Optional.of(cpuMount.resolve(parts[2].substring(1)));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * No cgroup made during this test is left. Other builds on the host may use the same parent concurrently, and
     * their steps' cgroups are empty for a moment while made and removed; so only new directories without processes
     * count, and only those still there, still empty, in every look over five seconds: a leak stays, a concurrent
     * step's cgroup goes.
     */
    private void assertNoCgroupLeft() throws Exception {
        List<Path> left = emptyNewCgroups();
        for (int look = 0; look < 5 && !left.isEmpty(); look++) {
            Thread.sleep(1000);
            List<Path> now = emptyNewCgroups();
            left = left.stream().filter(now::contains).toList();
        }
        assertEquals(List.of(), left, "cgroups left behind");
    }

    private List<Path> emptyNewCgroups() throws Exception {
        List<Path> found = new ArrayList<>();
        for (Path hierarchy : CgroupDirs.hierarchies()) {
            Path parent = hierarchy.resolve(OciSpecFactory.DEFAULT_CGROUP_PARENT);
            if (Files.isDirectory(parent)) {
                found.addAll(emptyNewCgroupsUnder(parent));
            }
        }
        return found;
    }

    /**
     * {@link #emptyNewCgroups} of one hierarchy, walked again when a cgroup went while it was walked: the parent is
     * shared with every other wharf process on the machine, whose steps' cgroups come and go meanwhile (the walk's
     * iterator reports that as an UncheckedIOException around the NoSuchFileException).
     */
    private List<Path> emptyNewCgroupsUnder(Path parent) throws Exception {
        for (int attempt = 1; ; attempt++) {
            List<Path> found = new ArrayList<>();
            try (var dirs = Files.walk(parent)) {
                for (Path dir : dirs.filter(Files::isDirectory).filter(d -> !d.equals(parent)).toList()) {
                    if (!before.contains(dir) && Files.exists(dir.resolve("cgroup.procs"))
                            && Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                        found.add(dir);
                    }
                }
                return found;
            } catch (NoSuchFileException | UncheckedIOException e) {
                boolean removed = e instanceof NoSuchFileException || e.getCause() instanceof NoSuchFileException;
                if (!removed || attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
