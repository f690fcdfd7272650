package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Change;
import dev.wharf.builder.snapshot.ChangeKind;
import dev.wharf.builder.snapshot.CopySnapshotter;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.testing.BusyboxRootfs;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A RUN on the copy-based snapshotter (a read-write bind root) in each sandbox: the diff is found by walking. */
class CopySnapshotterSandboxTest {
    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"builtin", "runc", "crun"})
    void run_onACopiedRoot_changesOnlyTheCopy(String runtime) throws Exception {
        HostRequirements.requireRoot();
        Sandbox sandbox = runtime.equals("builtin")
                ? new UnshareSandbox(temp.resolve("state"), Executables.fromEnvironment(), HostLimits.current())
                : new OciRuntimeSandbox(runtime, HostRequirements.requireTool(runtime, "apt-get install " + runtime),
                        temp.resolve("state"), Executables.fromEnvironment(),
                        new OciSpecFactory.HostFacts(HostLimits.current(), false));
        CopySnapshotter snapshotter = new CopySnapshotter(temp.resolve("snapshots"));
        List<Mount> extract = snapshotter.prepare("extract", null);
        BusyboxRootfs.extract(Path.of(extract.get(0).writableDir().orElseThrow()));
        snapshotter.commit("base", "extract");
        List<Mount> rootfs = snapshotter.prepare("run", "base");
        assertEquals("bind", rootfs.get(0).type());
        Path hosts = EtcFiles.writeHosts(temp.resolve("hosts"), SandboxSpec.DEFAULT_HOSTNAME);
        Path resolv = Files.writeString(temp.resolve("resolv.conf"), "");
        List<String> out = new ArrayList<>();
        ExitStatus status = sandbox.run(SandboxSpec.builder(rootfs,
                List.of("/bin/sh", "-c", "echo hi > /new; rm /etc/lower-file; cat /etc/hosts"), hosts, resolv)
                .build(), (s, l) -> out.add(l));
        assertEquals(0, status.code(), out.toString());
        List<Change> changes = snapshotter.changes("run");
        assertTrue(changes.contains(new Change(ChangeKind.ADD, "/new",
                Optional.of(Path.of(rootfs.get(0).source(), "new")))), changes.toString());
        assertTrue(changes.contains(new Change(ChangeKind.DELETE, "/etc/lower-file", Optional.empty())),
                changes.toString());
        assertFalse(changes.stream().anyMatch(c -> c.path().startsWith("/etc/hosts")
                || c.path().startsWith("/etc/resolv.conf")), changes.toString());
        Path base = Path.of(snapshotter.view("v", "base").get(0).source());
        assertTrue(Files.exists(base.resolve("etc/lower-file")));
        assertFalse(Files.exists(base.resolve("new")));
    }
}
