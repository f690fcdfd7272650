package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.RootView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelperCommandTest {
    @TempDir
    Path dir;

    private List<String> argv(SandboxSpec spec, boolean rootless, boolean setgroupsDenied) throws Exception {
        return HelperCommand.of(Path.of("/h/wharf-sandbox"), spec, RootView.of(spec.rootfs()), Path.of("/run/r"),
                Path.of("/run/ready"), List.of(Path.of("/cg/cgroup.procs")), Optional.of(Path.of("/cg2/run")),
                new HelperCommand.Host(HostLimits.unlimited(), true, rootless, setgroupsDenied));
    }

    private SandboxSpec.Builder spec() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Path hosts = Files.writeString(dir.resolve("hosts"), "");
        Path resolv = Files.writeString(dir.resolve("resolv.conf"), "");
        return SandboxSpec.builder(List.of(Mount.bind(root.toString(), false)), List.of("/bin/sh", "-c", "true"),
                hosts, resolv);
    }

    private static boolean contains(List<String> argv, String... run) {
        return Collections.indexOfSubList(argv, List.of(run)) >= 0;
    }

    @Test
    void of_hasTheIdentityLimitsAndCommand_andBindsEtcFilesReadOnlyWithARemount() throws Exception {
        List<String> argv = argv(spec().env(List.of("A=b")).cwd("/w").user(new ProcessUser(1000, 1001, List.of(7L)))
                .ulimits(List.of(new Ulimit("nofile", 10, 20))).build(), false, false);
        assertEquals("/h/wharf-sandbox", argv.get(0));
        assertEquals(List.of("parent", Long.toString(ProcessHandle.current().pid())), argv.subList(1, 3),
                "first, the JVM it must have as its parent (an orphan runs nothing)");
        assertTrue(contains(argv, "cgroup", "/cg/cgroup.procs"));
        assertTrue(contains(argv, "cgroup2", "/cg2/run"), "PID 1 is cloned into the unified cgroup");
        assertTrue(contains(argv, "net", "hostname", "buildkitsandbox", "root", "/run/r", "ready", "/run/ready"));
        assertTrue(contains(argv, "env", "A=b"));
        assertTrue(contains(argv, "rlimit", "nofile", "10", "20"));
        assertTrue(contains(argv, "caps", Long.toString(0xa80425fbL)), "Docker's 14 capabilities");
        assertTrue(contains(argv, "uid", "1000", "gid", "1001", "groups", "1001,7"));
        assertTrue(contains(argv, "mkdir", "/run/r/w", "755", "1000", "1001"), "the working directory");
        assertTrue(contains(argv, "touch", "/run/r/etc/hosts"));
        assertTrue(contains(argv, "mount", dir.resolve("hosts").toString(), "/run/r/etc/hosts", "",
                Long.toString(HelperCommand.MS_BIND | HelperCommand.MS_REC), ""));
        assertTrue(contains(argv, "mount", "none", "/run/r/etc/hosts", "", Long.toString(HelperCommand.MS_REMOUNT
                | HelperCommand.MS_BIND | HelperCommand.MS_RDONLY | HelperCommand.MS_NOSUID | HelperCommand.MS_NODEV
                | HelperCommand.MS_NOEXEC), ""));
        assertTrue(contains(argv, "mknod", "/run/r/dev/null", "1", "3"));
        assertEquals(List.of("--", "/bin/sh", "-c", "true"), argv.subList(argv.size() - 4, argv.size()));
    }

    @Test
    void of_rootlessBindsTheHostsDevices_hasNoSys_andKeepsGroupsWhereSetgroupsIsDenied() throws Exception {
        List<String> argv = argv(spec().network(NetworkMode.HOST).build(), true, true);
        assertFalse(argv.contains("net"));
        assertFalse(argv.contains("mknod"));
        assertTrue(contains(argv, "mount", "/dev/null", "/run/r/dev/null", "", Long.toString(HelperCommand.MS_BIND),
                ""));
        assertFalse(argv.stream().anyMatch(a -> a.startsWith("/run/r/sys")), argv.toString());
        assertFalse(argv.contains("groups"));
    }
}
