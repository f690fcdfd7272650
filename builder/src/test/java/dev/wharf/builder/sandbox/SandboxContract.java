package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.snapshot.Change;
import dev.wharf.builder.snapshot.ChangeKind;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.RootView;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.builder.testing.BusyboxRootfs;
import dev.wharf.builder.testing.FreezerCgroups;
import dev.wharf.builder.testing.HostRequirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link Sandbox} must have, run against real processes on a busybox root filesystem held in a
 * real {@link OverlaySnapshotter}: output streaming, exit codes, process settings, the diff landing in the upper
 * directory, isolation (PIDs, network, hostname, /proc/sys, mounts, host files, lower layers) and no leaks of mounts
 * or processes after success, failure and cancellation.
 */
abstract class SandboxContract {
    private static final AtomicInteger KEYS = new AtomicInteger();

    @TempDir
    Path temp;

    OverlaySnapshotter snapshotter;
    Sandbox sandbox;
    Path hosts;
    Path resolv;
    List<String> mountinfoBefore;
    Set<Long> childrenBefore;

    /** The sandbox under test, keeping its state under {@code stateRoot}; skips when the runtime is missing. */
    abstract Sandbox create(Path stateRoot) throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        HostRequirements.requireTool("unshare", "install util-linux");
        snapshotter = new OverlaySnapshotter(temp.resolve("snapshots"));
        List<Mount> extract = snapshotter.prepare("extract", null);
        BusyboxRootfs.extract(Path.of(extract.get(0).writableDir().orElseThrow()));
        snapshotter.commit("base", "extract");
        hosts = EtcFiles.writeHosts(temp.resolve("hosts"), SandboxSpec.DEFAULT_HOSTNAME);
        resolv = Files.writeString(temp.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
        sandbox = create(temp.resolve("state"));
        mountinfoBefore = mountinfo(temp);
        childrenBefore = children();
    }

    @AfterEach
    void noLeaks() throws Exception {
        if (mountinfoBefore == null) {
            return;
        }
        assertEquals(mountinfoBefore, mountinfo(temp), "mounts left on the host");
        assertEquals(childrenBefore, children(), "processes left behind");
        assertEquals(List.of(), containerCgroups(), "cgroups left behind");
        try (Stream<Path> runs = Files.list(temp.resolve("state"))) {
            // Only the runtime's own state root may remain, never a run's bundle.
            assertEquals(List.of(), runs.filter(p -> p.getFileName().toString().startsWith("wharf-")).toList());
        }
    }

    record Result(ExitStatus status, List<String> out, List<String> err) {
        String stdout() {
            return String.join("\n", out);
        }
    }

    List<Mount> active() throws Exception {
        return snapshotter.prepare("run-" + KEYS.incrementAndGet(), "base");
    }

    SandboxSpec.Builder shell(List<Mount> rootfs, String script) {
        return SandboxSpec.builder(rootfs, List.of("/bin/sh", "-c", script), hosts, resolv)
                .env(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    }

    Result run(SandboxSpec spec) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        List<String> err = Collections.synchronizedList(new ArrayList<>());
        ExitStatus status = sandbox.run(spec, (stream, line) -> (stream == StdStream.STDOUT ? out : err).add(line));
        return new Result(status, List.copyOf(out), List.copyOf(err));
    }

    Result run(String script) throws Exception {
        return run(shell(active(), script).build());
    }

    @Test
    void echo_streamsStdoutAndStderrLineByLine() throws Exception {
        Result r = run("echo one; echo two; echo err >&2; printf 'no newline'");
        assertEquals(ExitStatus.Termination.EXITED, r.status().termination());
        assertEquals(0, r.status().code());
        assertEquals(List.of("one", "two", "no newline"), r.out());
        assertEquals(List.of("err"), r.err());
    }

    @Test
    void aListenerJoiningTheStreams_getsALineBegunOnStdoutEndedByStderr() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        sandbox.run(shell(active(), "printf a; sleep 0.2; echo b >&2; sleep 0.2; printf c >&2").build(),
                new OutputListener() {
                    @Override
                    public void onLine(StdStream stream, String line) {
                        lines.add(stream.fd() + ":" + line);
                    }

                    @Override
                    public void onLine(StdStream stream, String line, long startNanos, boolean terminated) {
                        lines.add(stream.fd() + ":" + line + (terminated ? "\\n" : ""));
                    }

                    @Override
                    public boolean joinsStreams() {
                        return true;
                    }
                });
        assertEquals(List.of("1:ab\\n", "2:c"), lines, "a line is on the stream of its first byte");
    }

    @Test
    void nonZeroExit_isReportedWithItsCode() throws Exception {
        Result r = run("exit 3");
        assertEquals(new ExitStatus(3, ExitStatus.Termination.EXITED), r.status());
    }

    @Test
    void aCommandThatCannotBeExecuted_isNotExecuted_withDockerRunsCodes() throws Exception {
        // docker run: 127 when the command (or a directory on its path) does not exist, 126 when it is a file
        // without execute permission or a directory.
        for (Map.Entry<String, Integer> c : Map.of("nosuch", 127, "/nonexistent/x", 127, "/etc/passwd", 126,
                "/etc", 126).entrySet()) {
            Result r = run(SandboxSpec.builder(active(), List.of(c.getKey()), hosts, resolv)
                    .env(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")).build());
            assertEquals(new ExitStatus(c.getValue(), ExitStatus.Termination.NOT_EXECUTED), r.status(),
                    c.getKey() + ": " + r.err());
            assertFalse(r.err().isEmpty(), "the runtime's message is in the output");
        }
    }

    @Test
    void aCommandExiting127ByItself_orAShellNotFindingOne_hasExitedNormally() throws Exception {
        assertEquals(new ExitStatus(127, ExitStatus.Termination.EXITED), run("exit 127").status());
        assertEquals(new ExitStatus(127, ExitStatus.Termination.EXITED), run("nosuch").status());
        assertEquals(new ExitStatus(1, ExitStatus.Termination.EXITED),
                run("echo 'unable to start container process: exec: x' >&2; exit 1").status());
    }

    @Test
    void envCwdAndNumericUser_areApplied() throws Exception {
        SandboxSpec spec = shell(active(), "echo $GREETING; pwd; id -u; id -g; id -G")
                .env(List.of("PATH=/bin", "GREETING=hello world"))
                .cwd("/work/dir")
                .user(new ProcessUser(1000, 1000, List.of(29L, 50L)))
                .build();
        Result r = run(spec);
        assertEquals(0, r.status().code(), r.err().toString());
        assertEquals(List.of("hello world", "/work/dir", "1000", "1000"), r.out().subList(0, 4));
        assertEquals(Set.of("1000", "29", "50"), Set.of(r.out().get(4).split(" ")));
    }

    @Test
    void primaryGroup_isAlsoASupplementaryGroup_asUnderBuildKit() throws Exception {
        // BuildKit's ensureAdditionalGids: `id` prints groups=4343 for USER 4242:4343, and groups=0(root) for root.
        Result numeric = run(shell(active(), "grep '^Groups:' /proc/self/status")
                .user(new ProcessUser(4242, 4343, List.of())).build());
        assertEquals(List.of("Groups:\t4343"), numeric.out().stream().map(String::strip).toList(),
                numeric.err().toString());
        Result root = run(shell(active(), "grep '^Groups:' /proc/self/status").build());
        assertEquals(List.of("Groups:\t0"), root.out().stream().map(String::strip).toList(), root.err().toString());
    }

    @Test
    void userResolvedThroughTheImagesPasswd_runsWithThoseIds() throws Exception {
        List<Mount> rootfs = active();
        ProcessUser user = new UserResolver().resolve("builder", RootView.of(rootfs));
        Result r = run(shell(rootfs, "id -u; id -g; id -G").user(user).build());
        assertEquals("1000", r.out().get(0));
        assertEquals("1000", r.out().get(1));
        assertEquals(Set.of("1000", "29", "50"), Set.of(r.out().get(2).split(" ")));
    }

    @Test
    void workingDirectory_isCreatedOwnedByTheUser() throws Exception {
        List<Mount> rootfs = active();
        Result r = run(shell(rootfs, "stat -c '%u:%g' /made/here").cwd("/made/here")
                .user(new ProcessUser(1000, 1000, List.of())).build());
        assertEquals(List.of("1000:1000"), r.out());
    }

    @Test
    void writtenFile_landsInTheUpperDirectoryAndNotInTheLowerSnapshot() throws Exception {
        List<Mount> rootfs = active();
        Result r = run(shell(rootfs, "echo new > /created; echo changed > /etc/lower-file").build());
        assertEquals(0, r.status().code(), r.err().toString());
        Path upper = Path.of(rootfs.get(0).writableDir().orElseThrow());
        assertEquals("new\n", Files.readString(upper.resolve("created")));
        assertEquals("changed\n", Files.readString(upper.resolve("etc/lower-file")));
        Path lower = Path.of(rootfs.get(0).lowerDirs().get(0));
        assertFalse(Files.exists(lower.resolve("created")));
        assertEquals("from the lower layer\n", Files.readString(lower.resolve("etc/lower-file")));
    }

    @Test
    void etcHostsAndResolvConf_areBoundInButNeverReachTheLayer() throws Exception {
        List<Mount> rootfs = active();
        Result r = run(shell(rootfs, "cat /etc/hosts /etc/resolv.conf; echo x > /etc/hosts; echo rc=$?").build());
        assertTrue(r.stdout().contains("127.0.0.1\tlocalhost buildkitsandbox"), r.stdout());
        assertTrue(r.stdout().contains("nameserver 127.0.0.1"), r.stdout());
        assertNotEquals("rc=0", r.out().get(r.out().size() - 1), "/etc/hosts must be read-only");
        assertEquals(EtcFiles.hosts(SandboxSpec.DEFAULT_HOSTNAME), Files.readString(hosts));
        String key = "run-" + KEYS.get();
        List<String> changed = snapshotter.changes(key).stream().map(Change::path).toList();
        assertFalse(changed.contains("/etc/hosts"), changed.toString());
        assertFalse(changed.contains("/etc/resolv.conf"), changed.toString());
    }

    @Test
    void deletion_showsUpAsAWhiteoutInTheDiff() throws Exception {
        List<Mount> rootfs = active();
        String key = "run-" + KEYS.get();
        Result r = run(shell(rootfs, "rm /etc/lower-file && rm -r /home").build());
        assertEquals(0, r.status().code(), r.err().toString());
        Path upper = Path.of(rootfs.get(0).writableDir().orElseThrow());
        Map<String, Object> attrs = Files.readAttributes(upper.resolve("etc/lower-file"), "unix:mode,rdev",
                LinkOption.NOFOLLOW_LINKS);
        assertEquals(0020000, ((Integer) attrs.get("mode")) & 0170000, "a character device");
        assertEquals(0L, attrs.get("rdev"));
        List<Change> changes = snapshotter.changes(key);
        assertTrue(changes.contains(new Change(ChangeKind.DELETE, "/etc/lower-file", java.util.Optional.empty())),
                changes.toString());
        assertTrue(changes.contains(new Change(ChangeKind.DELETE, "/home", java.util.Optional.empty())),
                changes.toString());
    }

    @Test
    void recreatedDirectory_isOpaque_andDeletesWhatItHadBelow() throws Exception {
        List<Mount> rootfs = active();
        String key = "run-" + KEYS.get();
        Result r = run(shell(rootfs, "rm -rf /srv/old && mkdir /srv/old && echo n > /srv/old/new").build());
        assertEquals(0, r.status().code(), r.err().toString());
        List<String> changes = snapshotter.changes(key).stream().map(c -> c.kind() + " " + c.path()).toList();
        assertTrue(changes.contains("DELETE /srv/old/a"), changes.toString());
        assertTrue(changes.contains("DELETE /srv/old/b"), changes.toString());
        assertTrue(changes.contains("ADD /srv/old/new"), changes.toString());
        assertFalse(changes.contains("DELETE /srv/old"), changes.toString());
    }

    @Test
    void hostNetwork_seesTheHostsInterfaces() throws Exception {
        List<String> host = Files.readAllLines(Path.of("/proc/net/dev")).stream().skip(2)
                .map(l -> l.substring(0, l.indexOf(':')).trim()).sorted().toList();
        Result r = run(shell(active(), "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort")
                .network(NetworkMode.HOST).build());
        assertEquals(host, r.out());
    }

    @Test
    void ulimits_applyCappedAtTheHostsHardLimit() throws Exception {
        long hard = HostLimits.current().hardLimit("nofile").orElse(1048576);
        Result r = run(shell(active(), "ulimit -Sn; ulimit -Hn")
                .ulimits(List.of(new Ulimit("nofile", 512, hard + 1000))).build());
        assertEquals(List.of("512", String.valueOf(hard)), r.out(), r.err().toString());
    }

    @Test
    void newPrivileges_areAllowedLikeBuildKit_unlessNoNewPrivilegesIsSet() throws Exception {
        assertEquals(List.of("NoNewPrivs:\t0"), run("grep NoNewPrivs /proc/self/status").out());
        assertEquals(List.of("NoNewPrivs:\t1"),
                run(shell(active(), "grep NoNewPrivs /proc/self/status").noNewPrivileges(true).build()).out());
    }

    @Test
    void maskedPaths_areEmpty() throws Exception {
        Result r = run("cat /proc/kcore 2>/dev/null | wc -c; ls /sys/firmware 2>/dev/null | wc -l;"
                + " echo 1 > /proc/sysrq-trigger; echo rc=$?");
        assertEquals(List.of("0", "0"), r.out().subList(0, 2));
        assertFalse(r.out().contains("rc=0"), r.out().toString());
    }

    @Test
    void processes_cannotSeeHostPids() throws Exception {
        Result r = run("ls /proc | grep -c '^[0-9]'; cat /proc/1/cmdline | tr '\\0' ' '");
        assertTrue(Integer.parseInt(r.out().get(0)) <= 3, "processes visible: " + r.out());
        assertTrue(r.out().get(1).startsWith("/bin/sh -c ls /proc"), "pid 1 is the sandbox's: " + r.out());
    }

    @Test
    void networkNone_hasOnlyLoopback() throws Exception {
        Result r = run("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; ip -o link show lo;"
                + " ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping-ok");
        assertEquals("lo", r.out().get(0), r.out().toString());
        assertTrue(r.out().get(1).contains("<LOOPBACK,UP,LOWER_UP>"), "lo is up: " + r.out());
        assertEquals("ping-ok", r.out().get(2), r.err().toString());
    }

    @Test
    void hostname_isTheSandboxes() throws Exception {
        Result r = run("hostname; cat /proc/sys/kernel/hostname");
        assertEquals(List.of("buildkitsandbox", "buildkitsandbox"), r.out());
        Result custom = run(shell(active(), "hostname").hostname("custom-host").build());
        assertEquals(List.of("custom-host"), custom.out());
    }

    @Test
    void procSys_isReadOnly() throws Exception {
        Result r = run("echo evil > /proc/sys/kernel/hostname; echo rc=$?;"
                + " mount -o remount,rw /proc/sys; echo remount=$?; hostname");
        assertTrue(r.out().contains("rc=1") || r.out().contains("rc=2"), r.out().toString());
        assertFalse(r.out().contains("remount=0"), r.out().toString());
        assertEquals("buildkitsandbox", r.out().get(r.out().size() - 1));
    }

    @Test
    void mount_isDenied() throws Exception {
        Result r = run("mount -t tmpfs tmpfs /mnt; echo rc=$?; mount --bind /bin /mnt; echo bind=$?");
        assertFalse(r.out().contains("rc=0"), r.out().toString());
        assertFalse(r.out().contains("bind=0"), r.out().toString());
    }

    @Test
    void seccomp_dockersDefaultProfileBlocksUserNamespacesAndKeyctl_unlessUnconfined() throws Exception {
        String script = "grep '^Seccomp:' /proc/self/status; unshare -U true; echo unshare=$?;"
                + " unshare -m true; echo mountns=$?";
        Result confined = run(script);
        Result unconfined = run(shell(active(), script).seccomp(false).build());
        assertTrue(unconfined.out().contains("unshare=0"), unconfined.out().toString());
        assertTrue(unconfined.out().contains("Seccomp:\t0"), unconfined.out().toString());
        if (sandbox.name().equals("builtin")) {
            // util-linux cannot load a filter: the built-in sandbox documents that it has none.
            assertTrue(confined.out().contains("Seccomp:\t0"), confined.out().toString());
            return;
        }
        assertTrue(confined.out().contains("Seccomp:\t2"), confined.out().toString());
        // CLONE_NEWUSER needs no capability, so only the profile's rule (unshare needs CAP_SYS_ADMIN) stops it.
        assertTrue(confined.out().contains("unshare=1"), confined.out() + " " + confined.err());
        assertTrue(confined.err().stream().anyMatch(l -> l.contains("Operation not permitted")), confined.err()
                .toString());
    }

    @Test
    void capabilities_areDockersDefaultSet() throws Exception {
        Result r = run("grep -E '^Cap(Bnd|Eff)' /proc/self/status");
        // CHOWN..SETFCAP as in containerd's defaultUnixCaps: 0x00000000a80425fb.
        assertEquals(List.of("CapEff:\t00000000a80425fb", "CapBnd:\t00000000a80425fb"), r.out());
        Result user = run(shell(active(), "grep -E '^CapEff' /proc/self/status")
                .user(new ProcessUser(1000, 1000, List.of())).build());
        assertEquals(List.of("CapEff:\t0000000000000000"), user.out());
    }

    @Test
    void hostFiles_outsideTheRootAreUnreachable() throws Exception {
        Path secret = Files.writeString(temp.resolve("host-secret"), "TOP SECRET\n");
        String p = secret.toString();
        Result r = run("cat " + p + " 2>&1; cat /proc/1/root" + p + " 2>&1; cd /..; cat ../../.." + p
                + " 2>&1; ls /proc/1/root/work 2>&1; echo done");
        assertFalse(r.stdout().contains("TOP SECRET"), r.stdout());
        assertTrue(r.out().contains("done"));
        // A chroot escape needs CAP_SYS_CHROOT, which Docker's set has: try it.
        Result escape = run("mkdir -p /jail && chroot /jail /bin/true 2>/dev/null; cd /; for i in 1 2 3 4 5 6 7 8;"
                + " do cd ..; done; ls -d ." + p + " 2>&1; cat ." + p + " 2>&1; echo done");
        assertFalse(escape.stdout().contains("TOP SECRET"), escape.stdout());
    }

    @Test
    void readOnlyView_cannotBeWritten() throws Exception {
        // A read-only root cannot get mount points, so this layer brings /etc/hosts and /etc/resolv.conf along,
        // as real base images do.
        List<Mount> etc = snapshotter.prepare("etc-layer", "base");
        Path etcUpper = Path.of(etc.get(0).writableDir().orElseThrow());
        Files.createDirectories(etcUpper.resolve("etc"));
        Files.writeString(etcUpper.resolve("etc/hosts"), "");
        Files.writeString(etcUpper.resolve("etc/resolv.conf"), "");
        snapshotter.commit("with-etc", "etc-layer");
        List<Mount> view = snapshotter.view("view-" + KEYS.incrementAndGet(), "with-etc");
        Result r = run(shell(view, "echo x > /etc/lower-file; echo rc=$?; touch /newfile; echo touch=$?").build());
        assertFalse(r.out().contains("rc=0"), r.out().toString());
        assertFalse(r.out().contains("touch=0"), r.out().toString());
        for (String layer : view.get(0).layerDirs()) {
            assertFalse(Files.exists(Path.of(layer, "newfile")));
        }
        assertEquals("from the lower layer\n", Files.readString(Path.of(view.get(0).layerDirs().get(1),
                "etc/lower-file")));
    }

    @Test
    void extraMounts_bindAndTmpfsWorkAndLeaveNoStubs() throws Exception {
        Path shared = Files.createDirectory(temp.resolve("shared"));
        Files.writeString(shared.resolve("in"), "from host\n");
        List<Mount> rootfs = active();
        String key = "run-" + KEYS.get();
        SandboxSpec spec = shell(rootfs, "cat /mnt/ro/in; echo x > /mnt/ro/out; echo ro=$?; echo t > /scratch/t;"
                + " cat /scratch/t; echo w > /deep/rw/out")
                .mount(SandboxMount.bind(shared.toString(), "/mnt/ro", true))
                .mount(SandboxMount.tmpfs("/scratch", List.of("size=1m")))
                .mount(SandboxMount.bind(shared.toString(), "/deep/rw", false))
                .build();
        Result r = run(spec);
        assertEquals(List.of("from host", "ro=1", "t"), r.out().stream().filter(l -> !l.startsWith("sh:")).toList(),
                r.err().toString());
        assertEquals("w\n", Files.readString(shared.resolve("out")));
        List<String> changed = snapshotter.changes(key).stream().map(Change::path).toList();
        assertEquals(List.of(), changed.stream().filter(c -> c.startsWith("/scratch") || c.startsWith("/deep")
                || c.startsWith("/mnt/ro")).toList());
    }

    @Test
    void cancel_killsTheWholeTree() throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        String sleeps = "sleep " + sleeper(54) + " & sleep " + sleeper(53) + " & echo started; wait";
        try (SandboxProcess p = sandbox.start(shell(active(), sleeps).build(), (s, l) -> out.add(l))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!out.contains("started") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(out.contains("started"));
            assertTrue(processesRunning(sleeper(54)), "the sleeps run before cancel");
            assertEquals(mountinfoBefore, mountinfo(temp), "the root filesystem is mounted only inside the sandbox");
            p.cancel();
            ExitStatus status = p.waitFor();
            assertEquals(ExitStatus.Termination.CANCELLED, status.termination());
        }
        assertFalse(processesRunning(sleeper(54)), "sleep survived the cancel");
        assertFalse(processesRunning(sleeper(53)), "sleep survived the cancel");
    }

    /**
     * Attacks: a RUN without resource limits whose process tree forks sleepers in a nested shell. Must hold: the tree
     * runs in a freezer cgroup of its own, a cancel leaves none of its processes alive, and that cgroup is gone.
     */
    @Test
    void cancel_withoutLimits_freezesAndKillsTheRunsOwnCgroup_andRemovesIt() throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        String tree = "sh -c 'sleep " + sleeper(31) + " & sleep " + sleeper(32) + " & wait' & sleep " + sleeper(33)
                + " & sleep " + sleeper(34) + " & echo started; wait";
        Path cgroup;
        try (SandboxProcess p = sandbox.start(shell(active(), tree).build(), (s, l) -> out.add(l))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // Exact argv: the parent shell's command line also contains sleeper(31) before its sleep has started.
            while (!(out.contains("started") && runsExactly("sleep", sleeper(31))
                    && runsExactly("sleep", sleeper(34))) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(processesRunning(sleeper(31)) && processesRunning(sleeper(34)),
                    "the sleepers run before cancel");
            cgroup = freezerCgroupOf(pidOf("sleep", sleeper(31)));
            assertNotEquals(freezerCgroupOf(ProcessHandle.current().pid()), cgroup,
                    "the step runs in a cgroup of its own");
            assertTrue(Files.isDirectory(cgroup), cgroup.toString());
            p.cancel();
            assertEquals(ExitStatus.Termination.CANCELLED, p.waitFor().termination());
        }
        for (String sleeper : List.of(sleeper(31), sleeper(32), sleeper(33), sleeper(34))) {
            assertFalse(processesRunning(sleeper), "sleep " + sleeper + " survived the cancel");
        }
        assertFalse(Files.exists(cgroup), "the run's cgroup " + cgroup + " was left behind");
    }

    /** The host directory of the cgroup that freezes the process {@code pid} ({@link FreezerCgroups#of}). */
    static Path freezerCgroupOf(long pid) throws IOException {
        return FreezerCgroups.of(pid);
    }

    /** Whether a process with exactly the command line {@code argv} runs. */
    static boolean runsExactly(String... argv) throws IOException {
        try {
            pidOf(argv);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** The pid of a process whose command line is exactly {@code argv}. */
    static long pidOf(String... argv) throws IOException {
        String wanted = String.join("\0", argv) + "\0";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(q -> q.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (new String(Files.readAllBytes(proc.resolve("cmdline"))).equals(wanted)) {
                        return Long.parseLong(proc.getFileName().toString());
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        throw new AssertionError("no process runs " + List.of(argv));
    }

    @Test
    void timeout_killsAndReportsTimedOut() throws Exception {
        try (SandboxProcess p = sandbox.start(shell(active(), "sleep " + sleeper(55)).build(),
                OutputListener.discard())) {
            ExitStatus status = p.waitFor(Duration.ofMillis(500));
            assertEquals(ExitStatus.Termination.TIMED_OUT, status.termination());
        }
        assertFalse(processesRunning(sleeper(55)));
    }

    @Test
    void setupFailure_isReportedOnce_andCloseOnlyReleases() throws Exception {
        // An extra mount whose source does not exist makes the setup fail before the command starts.
        SandboxSpec spec = shell(active(), "echo never").mount(SandboxMount.bind(temp.resolve("missing").toString(),
                "/mnt/x", true)).build();
        SandboxProcess p = sandbox.start(spec, OutputListener.discard());
        try {
            ExitStatus status = p.waitFor();
            // runc and crun report their own setup failures as the container's exit status.
            assertNotEquals(0, status.code());
        } catch (SandboxException e) {
            assertTrue(e.getMessage().contains("could not be set up"), e.getMessage());
        }
        p.close();
        p.close();
    }

    @Test
    void missingCommand_failsWithoutLeaks() throws Exception {
        SandboxSpec spec = SandboxSpec.builder(active(), List.of("/no/such/program"), hosts, resolv).build();
        try {
            ExitStatus status = sandbox.run(spec, OutputListener.discard());
            assertNotEquals(0, status.code());
        } catch (SandboxException e) {
            assertTrue(e.getMessage().contains("sandbox"), e.getMessage());
        }
    }

    @Test
    void deepLayerStack_beyondOneMountOptionPage_isMountedAndMerged() throws Exception {
        String parent = "base";
        int layers = 150;
        for (int i = 1; i <= layers; i++) {
            List<Mount> m = snapshotter.prepare("deep-" + i + "-active", parent);
            Path upper = Path.of(m.get(0).writableDir().orElseThrow());
            Files.createDirectories(upper.resolve("layers"));
            Files.writeString(upper.resolve("layers/" + i), "layer " + i + "\n");
            snapshotter.commit("deep-" + i, "deep-" + i + "-active");
            parent = "deep-" + i;
        }
        List<Mount> rootfs = snapshotter.prepare("deep-run", parent);
        assertTrue(String.join(",", rootfs.get(0).options()).length() > 4096, "the options exceed a page");
        Result r = run(shell(rootfs, "ls /layers | wc -l; cat /layers/1 /layers/150 /etc/lower-file").build());
        assertEquals(List.of(String.valueOf(layers), "layer 1", "layer 150", "from the lower layer"), r.out(),
                r.err().toString());
    }

    /**
     * The host's mounts that involve {@code dir} (as mount point or in their options). Other programs on the machine
     * mount and unmount things concurrently, so only mounts that could be ours are compared.
     */
    @Test
    void failingListener_doesNotBlockTheProcess() throws Exception {
        SandboxSpec spec = shell(active(), "i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done").build();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> sandbox.run(spec, (stream, line) -> {
                    throw new IllegalArgumentException("listener bug");
                }));
        assertEquals("listener bug", e.getCause().getMessage());
    }

    static List<String> mountinfo(Path dir) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(dir.toString())).sorted().toList();
    }

    /** This test's own cgroup parent, so that other builds on the machine cannot disturb the leak check. */
    final String cgroupParent = "wharf-test-" + Long.toHexString(System.nanoTime());
    private final long sleeperBase = 1_000_000 + 100L * ThreadLocalRandom.current().nextInt(80_000);

    /** Container cgroups left under this test's cgroup parent, in any hierarchy; removes the empty parents. */
    List<Path> containerCgroups() throws IOException {
        List<Path> left = new ArrayList<>();
        for (Path hierarchy : CgroupDirs.hierarchies()) {
            Path parent = hierarchy.resolve(cgroupParent);
            if (Files.isDirectory(parent)) {
                try (Stream<Path> dirs = Files.list(parent)) {
                    dirs.filter(Files::isDirectory).forEach(left::add);
                }
                if (left.isEmpty()) {
                    Files.delete(parent);
                }
            }
        }
        return left;
    }

    static Set<Long> children() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /**
     * A sleep duration that marks one test's processes: random per test instance, so that a concurrent run of the same
     * test on the machine (another checkout's suite) is never taken for this one's leftovers.
     */
    String sleeper(int n) {
        return String.valueOf(sleeperBase + n);
    }

    static boolean processesRunning(String marker) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(marker);
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }
}
