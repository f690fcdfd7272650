package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.testing.BusyboxRootfs;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
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
    /**
     * This test's own cgroup parent, in place of the machine-wide {@code wharf}: other wharf processes (builds, other
     * checkouts' test runs) make and remove their steps' cgroups there at any time, so only cgroups under a parent
     * of this test's say what its runs left.
     */
    String cgroupParent;

    @BeforeEach
    void base() throws Exception {
        HostRequirements.requireRoot();
        snapshotter = new OverlaySnapshotter(temp.resolve("snapshots"));
        List<Mount> extract = snapshotter.prepare("extract", null);
        BusyboxRootfs.extract(Path.of(extract.get(0).writableDir().orElseThrow()));
        snapshotter.commit("base", "extract");
        hosts = EtcFiles.writeHosts(temp.resolve("hosts"), SandboxSpec.DEFAULT_HOSTNAME);
        resolv = Files.writeString(temp.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
        cgroupParent = "wharf-test-" + Long.toUnsignedString(new java.security.SecureRandom().nextLong(), 36);
    }

    /** Removes this test's cgroup parent (empty unless a run leaked, which the test has reported). */
    @AfterEach
    void removeCgroupParent() {
        if (cgroupParent == null) {
            return;
        }
        for (Path hierarchy : CgroupDirs.hierarchies()) {
            Path parent = hierarchy.resolve(cgroupParent);
            List<Path> dirs = new ArrayList<>(cgroupsUnder(parent));
            Collections.reverse(dirs); // children first: a cgroup with children cannot be removed
            dirs.add(parent);
            for (Path dir : dirs) {
                try {
                    Files.deleteIfExists(dir);
                } catch (java.io.IOException e) {
                    // Busy or not empty: a leak, which the test itself reported.
                }
            }
        }
    }

    private Sandbox sandbox(String runtime) throws Exception {
        Path state = temp.resolve("state");
        if (runtime.equals("builtin")) {
            return new UnshareSandbox(state, Executables.fromEnvironment(), HostLimits.current(), false, true,
                    cgroupParent);
        }
        return new OciRuntimeSandbox(runtime, HostRequirements.requireTool(runtime, "apt-get install " + runtime),
                state, Executables.fromEnvironment(), new OciSpecFactory.HostFacts(HostLimits.current(), false),
                new OciSpecFactory(cgroupParent));
    }

    private SandboxSpec spec(String script, ResourceLimits limits) throws Exception {
        return SandboxSpec.builder(snapshotter.prepare("run-" + KEYS.incrementAndGet(), "base"),
                List.of("/bin/sh", "-c", script), hosts, resolv).env(List.of("PATH=/bin")).resources(limits).build();
    }

    private ExitStatus run(String runtime, String script, ResourceLimits limits, List<String> out)
            throws Exception {
        return sandbox(runtime).run(spec(script, limits), (s, line) -> out.add(line));
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
        Sandbox sandbox = sandbox(runtime);
        // A sleep no concurrent run of this test on the machine (another checkout's) uses.
        String marker = Long.toString(900_000 + new java.security.SecureRandom().nextInt(9_000_000));
        SandboxSpec spec = spec("echo started; i=0; while [ $i -lt 50 ]; do sleep " + marker
                + " & i=$((i+1)); done; wait", ResourceLimits.none().withCpus(0.5));
        try (SandboxProcess process = sandbox.start(spec, (s, line) -> out.add(line))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!out.contains("started") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(300);
            Optional<Path> cpu = cpuCgroupOf(marker);
            assertTrue(cpu.isPresent(), "the sleeps run in a cpu cgroup");
            assertEquals("50000", Files.readString(cpu.get().resolve("cpu.cfs_quota_us")).strip());
            process.cancel();
            assertEquals(ExitStatus.Termination.CANCELLED, process.waitFor().termination());
        }
        assertFalse(SandboxContract.processesRunning(marker), "a sleep outlived the cancel");
        assertNoCgroupLeft();
    }

    /**
     * The host directory of the v1 cpu cgroup, under this test's parent, of a process whose command line contains
     * {@code marker}.
     */
    private Optional<Path> cpuCgroupOf(String marker) throws Exception {
        Path cpuMount = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains(" - cgroup ") && line.matches(".*[ ,]cpu(,.*)?$")) {
                cpuMount = Path.of(line.split(" ")[4]);
            }
        }
        HostRequirements.require(cpuMount != null, "no cgroup v1 cpu hierarchy on this host");
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            String cmdline;
            List<String> cgroups;
            try {
                cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")));
                cgroups = Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "cgroup"));
            } catch (Exception e) {
                continue;
            }
            if (!cmdline.contains(marker)) {
                continue;
            }
            for (String line : cgroups) {
                String[] parts = line.split(":", 3);
                if (List.of(parts[1].split(",")).contains("cpu") && parts[2].startsWith("/" + cgroupParent + "/")) {
                    return Optional.of(cpuMount.resolve(parts[2].substring(1)));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * No cgroup is left under this test's parent. A run's cgroup may still be on its way out for a moment after the
     * run returned (a runtime deleting it as it exits), so only those still there in every look over five seconds
     * count.
     */
    private void assertNoCgroupLeft() throws Exception {
        List<Path> left = ownCgroups();
        for (int look = 0; look < 5 && !left.isEmpty(); look++) {
            Thread.sleep(1000);
            List<Path> now = ownCgroups();
            left = left.stream().filter(now::contains).toList();
        }
        assertEquals(List.of(), left, "cgroups left behind");
    }

    private List<Path> ownCgroups() {
        List<Path> found = new ArrayList<>();
        for (Path hierarchy : CgroupDirs.hierarchies()) {
            found.addAll(cgroupsUnder(hierarchy.resolve(cgroupParent)));
        }
        return found;
    }

    /** The cgroups below {@code parent}, parents before their children; none when it does not exist. */
    private static List<Path> cgroupsUnder(Path parent) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (var dirs = Files.walk(parent)) {
            return dirs.filter(Files::isDirectory).filter(d -> !d.equals(parent)).toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // A cgroup removed during the walk: the next look sees what stays.
            return List.of();
        }
    }
}
