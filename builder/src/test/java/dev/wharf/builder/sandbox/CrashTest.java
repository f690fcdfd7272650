package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.testing.BusyboxRootfs;
import dev.wharf.builder.testing.HostRequirements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM killed with SIGKILL while a sandbox runs leaves no process and no host mount behind, and the next sandbox on
 * the same state root sweeps the run's state.
 */
class CrashTest {
    @TempDir
    Path temp;

    static Sandbox sandbox(String runtime, Path state) throws Exception {
        if (runtime.equals("builtin")) {
            return new UnshareSandbox(state, Executables.fromEnvironment(), HostLimits.current());
        }
        return new OciRuntimeSandbox(runtime, HostRequirements.requireTool(runtime, "apt-get install " + runtime),
                state, Executables.fromEnvironment(), new OciSpecFactory.HostFacts(HostLimits.current(), false));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"builtin", "runc", "crun"})
    void killedJvm_leavesNoProcessNoMount_andTheNextStartSweepsItsState(String runtime) throws Exception {
        HostRequirements.requireRoot();
        Path state = temp.resolve("state");
        sandbox(runtime, state);
        OverlaySnapshotter snapshotter = new OverlaySnapshotter(temp.resolve("snapshots"));
        List<Mount> extract = snapshotter.prepare("extract", null);
        BusyboxRootfs.extract(Path.of(extract.get(0).writableDir().orElseThrow()));
        snapshotter.commit("base", "extract");
        Path etc = Files.createDirectory(temp.resolve("etc"));
        EtcFiles.writeHosts(etc.resolve("hosts"), "");
        Files.writeString(etc.resolve("resolv.conf"), "");
        List<String> mountsBefore = SandboxContract.mountinfo(temp);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path cgroup;
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), runtime, state.toString(), temp.resolve("snapshots").toString(),
                etc.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)); AutoCloseable killChild = child::destroyForcibly) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.equals("started")) {
                seen.append(line).append('\n');
            }
            assertEquals("started", line, "child output: " + seen);
            assertTrue(SandboxContract.processesRunning("987900"));
            long sleeper = 0;
            for (int i = 0; i < 200 && sleeper == 0; i++) {
                try {
                    sleeper = SandboxContract.pidOf("sleep", "987900");
                } catch (AssertionError notYet) {
                    Thread.sleep(25); // "started" is printed just before the sleep starts
                }
            }
            cgroup = SandboxContract.freezerCgroupOf(sleeper);
            assertNotEquals(SandboxContract.freezerCgroupOf(ProcessHandle.current().pid()), cgroup,
                    "the run has a cgroup of its own");
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SandboxContract.processesRunning("987900") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(SandboxContract.processesRunning("987900"), "the sandboxed sleep outlived its JVM");
        assertEquals(mountsBefore, SandboxContract.mountinfo(temp), "the host's mount table changed");

        Path runs = runtime.equals("builtin") ? state : state.resolve(runtime);
        sandbox(runtime, state);
        try (Stream<Path> left = Files.list(runs)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("wharf-")).toList());
        }
        assertFalse(Files.exists(cgroup), "the killed run's cgroup " + cgroup + " was not swept");
        if (!runtime.equals("builtin")) {
            Process list = new ProcessBuilder(HostRequirements.requireTool(runtime, "").toString(), "--root",
                    runs.resolve(".runtime").toString(), "list", "-q").redirectErrorStream(true).start();
            String ids = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(list.waitFor(30, TimeUnit.SECONDS));
            assertEquals("", ids, "runtime state left after the sweep");
        }
    }
}
