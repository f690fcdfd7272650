package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.builder.snapshot.Mount;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OciSpecFactoryTest {
    private static final List<Mount> ROOTFS = List.of(new Mount("overlay", "overlay",
            List.of("workdir=/s/2/work", "upperdir=/s/2/fs", "lowerdir=/s/1/fs")));
    private static final OciSpecFactory.HostFacts HOST = new OciSpecFactory.HostFacts(
            new HostLimits(Map.of("nofile", 20000L)), false);
    private final OciSpecFactory factory = new OciSpecFactory();

    private static SandboxSpec.Builder spec() {
        return SandboxSpec.builder(ROOTFS, List.of("/bin/sh", "-c", "true"), Path.of("/state/hosts"),
                Path.of("/state/resolv.conf"));
    }

    @Test
    void defaults_matchBuildKitOnContainerdDefaults() {
        OciSpec s = factory.create(spec().env(List.of("PATH=/bin")).build(), "wharf-1", "rootfs", HOST);
        assertEquals("1.0.2", s.ociVersion());
        assertEquals("buildkitsandbox", s.hostname());
        assertEquals(new OciSpec.Root("rootfs", false), s.root());
        OciSpec.Process p = s.process();
        assertFalse(p.terminal());
        assertEquals(new OciSpec.User(0, 0, List.of(0L)), p.user());
        assertEquals(List.of("/bin/sh", "-c", "true"), p.args());
        assertEquals(List.of("PATH=/bin"), p.env());
        assertEquals("/", p.cwd());
        List<String> caps = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
        assertEquals(new OciSpec.Capabilities(caps, caps, caps), p.capabilities());
        assertEquals(null, p.rlimits(), "BuildKit resets containerd's NOFILE default when no ulimit is set");
        assertFalse(p.noNewPrivileges(), "BuildKit applies oci.WithNewPrivileges");

        List<String> ro = List.of("nosuid", "noexec", "nodev", "rbind", "ro");
        assertEquals(List.of(
                new OciSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new OciSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755",
                        "size=65536k")),
                new OciSpec.Mount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance",
                        "ptmxmode=0666", "mode=0620", "gid=5")),
                new OciSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777",
                        "size=65536k")),
                new OciSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new OciSpec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new OciSpec.Mount("/etc/resolv.conf", "bind", "/state/resolv.conf", ro),
                new OciSpec.Mount("/etc/hosts", "bind", "/state/hosts", ro),
                new OciSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev"))),
                s.mounts());

        OciSpec.Linux linux = s.linux();
        assertEquals(List.of("pid", "ipc", "uts", "mount", "network"),
                linux.namespaces().stream().map(OciSpec.Namespace::type).toList());
        assertEquals(List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                "/sys/devices/virtual/powercap", "/proc/scsi"), linux.maskedPaths());
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                linux.readonlyPaths());
        assertEquals("/wharf/wharf-1/ctr", linux.cgroupsPath());
        assertEquals(new OciSpec.Resources(List.of(new OciSpec.DeviceRule(false, "rwm"))), linux.resources());
    }

    @Test
    void hostNetwork_dropsTheNetworkNamespace_andCgroupV2AddsACgroupNamespace() {
        OciSpec s = factory.create(spec().network(NetworkMode.HOST).build(), "x", "rootfs",
                new OciSpecFactory.HostFacts(HostLimits.unlimited(), true));
        assertEquals(List.of("pid", "ipc", "uts", "mount", "cgroup"),
                s.linux().namespaces().stream().map(OciSpec.Namespace::type).toList());
    }

    @Test
    void processSettings_comeFromTheSpec() {
        OciSpec s = factory.create(spec().user(new ProcessUser(1000, 50, List.of(29L))).cwd("/src")
                .hostname("h").noNewPrivileges(true).build(), "x", "rootfs", HOST);
        assertEquals(new OciSpec.User(1000, 50, List.of(50L, 29L)), s.process().user(),
                "the primary gid leads the supplementary groups, as BuildKit's ensureAdditionalGids does");
        assertEquals("/src", s.process().cwd());
        assertEquals("h", s.hostname());
        assertTrue(s.process().noNewPrivileges());
    }

    @Test
    void ulimits_areCappedAtTheHostsHardLimit() {
        OciSpec s = factory.create(spec().ulimits(List.of(new Ulimit("nofile", 1024, 1048576),
                new Ulimit("NPROC", 100, 200))).build(), "x", "rootfs", HOST);
        assertEquals(List.of(new OciSpec.Rlimit("RLIMIT_NOFILE", 20000, 1024),
                new OciSpec.Rlimit("RLIMIT_NPROC", 200, 100)), s.process().rlimits());
        OciSpec over = factory.create(spec().ulimits(List.of(new Ulimit("nofile", 50000, 50000))).build(), "x",
                "rootfs", HOST);
        assertEquals(List.of(new OciSpec.Rlimit("RLIMIT_NOFILE", 20000, 20000)), over.process().rlimits());
    }

    @Test
    void extraMounts_followTheStandardOnes_andReplaceTheSameDestinationInPlace() {
        OciSpec s = factory.create(spec().mount(SandboxMount.bind("/host/src", "/src", true))
                .mount(SandboxMount.tmpfs("/tmp", List.of("size=1m")))
                .mount(SandboxMount.tmpfs("/dev/shm", List.of("size=2m"))).build(), "x", "rootfs", HOST);
        List<OciSpec.Mount> mounts = s.mounts();
        assertEquals(new OciSpec.Mount("/dev/shm", "tmpfs", "tmpfs", List.of("nosuid", "size=2m")), mounts.get(3));
        assertEquals(new OciSpec.Mount("/src", "bind", "/host/src", List.of("rbind", "ro")),
                mounts.get(mounts.size() - 2));
        assertEquals(new OciSpec.Mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "size=1m")),
                mounts.get(mounts.size() - 1));
        assertEquals(9 + 2, mounts.size(), "/dev/shm replaced in place, /src and /tmp added");
    }

    @Test
    void readOnlyRootfs_marksTheRootReadOnly() {
        OciSpec s = factory.create(SandboxSpec.builder(List.of(Mount.bind("/s/1/fs", true)), List.of("true"),
                Path.of("/h"), Path.of("/r")).build(), "x", "rootfs", HOST);
        assertTrue(s.root().readonly());
    }

    @Test
    void json_usesTheOciFieldNames() throws Exception {
        OciSpec s = factory.create(spec().user(new ProcessUser(0, 0, List.of())).build(), "x", "rootfs", HOST);
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsBytes(s));
        assertEquals("1.0.2", json.get("ociVersion").asText());
        assertEquals(0, json.at("/process/user/uid").asInt());
        assertTrue(json.at("/process/user/uid").isNumber(), "uid 0 is written, not omitted");
        assertEquals(0, json.at("/process/user/additionalGids/0").asInt(-1), "root is in group 0, as under BuildKit");
        assertFalse(json.at("/process/noNewPrivileges").asBoolean(true));
        assertTrue(json.at("/process/rlimits").isMissingNode());
        assertEquals("rootfs", json.at("/root/path").asText());
        assertEquals("pid", json.at("/linux/namespaces/0/type").asText());
        assertEquals("/proc", json.at("/mounts/0/destination").asText());
        assertEquals(false, json.at("/linux/resources/devices/0/allow").asBoolean(true));
    }
}
