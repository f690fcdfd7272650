package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.RootView;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The built-in sandbox, for hosts without runc or crun: util-linux {@code unshare} makes new mount, PID, UTS, IPC
 * and (unless the network is the host's) network namespaces, a shell script mounts the root filesystem and the same
 * mounts the OCI spec lists ({@link SetupScript}), then moves the new root over {@code /} and execs
 * {@code setpriv} (bounding set reduced to Docker's 14 capabilities, no inheritable capabilities, gid and groups set)
 * and {@code unshare --root} (chroot, working directory, uid) into the command, which becomes PID 1 of its namespace.
 *
 * <p>The root is switched the way {@code switch_root} does it (move mount onto {@code /}, then chroot) rather than
 * with {@code pivot_root}, because the tools that drop privileges live in the host root and must run after the
 * switch. The old root stays covered by the new one at the namespace root, so {@code ..} and a second chroot lead
 * back into the new root, and without {@code CAP_SYS_ADMIN} nothing can be unmounted to uncover it. The outer
 * {@code unshare} carries a parent-death signal ({@link Launcher}) and {@code --kill-child}, so the JVM dying ends the
 * whole namespace. Requires root, or uid 0 of a user namespace ({@link UserNamespaces}). Thread-safe.
 *
 * <p>When wharf was built with gcc, all of this is done by the native helper instead ({@link HelperBinary},
 * {@link HelperCommand}): one process that unshares, forks PID 1, performs the same mounts, switches the root the
 * same way, sets the same identity and limits and execs the command, instead of about ten programs per RUN. The
 * shell path above remains for builds without gcc, other architectures and state directories that forbid exec.
 */
public final class UnshareSandbox implements Sandbox {
    private final StateDirs state;
    private final Path unshare;
    private final Path setpriv;
    private final Path env;
    private final Path sh;
    private final Optional<Path> prlimit;
    private final Optional<Path> ip;
    private final boolean cgroup2;
    private final Launcher launcher = new Launcher();
    private final OutputPumps pumps = new OutputPumps();
    private final HostLimits limits;
    private final boolean rootless;
    private final PosixFiles posix;
    private final boolean setgroupsDenied;
    /** The cgroup every run's own is made under, {@code <hierarchy>/<cgroupParent>/<id>}. */
    private final String cgroupParent;
    private volatile Optional<Path> helper;

    /** A built-in sandbox run as real root; see {@link #UnshareSandbox(Path, Executables, HostLimits, boolean)}. */
    public UnshareSandbox(Path stateRoot, Executables tools, HostLimits limits) throws SandboxException {
        this(stateRoot, tools, limits, false);
    }

    /** A built-in sandbox that uses the native helper when this build has one; see the five-argument constructor. */
    public UnshareSandbox(Path stateRoot, Executables tools, HostLimits limits, boolean rootless)
            throws SandboxException {
        this(stateRoot, tools, limits, rootless, true);
    }

    /**
     * Makes a built-in sandbox keeping per-run state under {@code stateRoot}, and sweeps state left by dead runs.
     * Ulimits are capped at {@code limits}, as the OCI runtimes get them through {@link OciSpecFactory}. When
     * {@code rootless} (this JVM is uid 0 of a user namespace, see {@link UserNamespaces}) the sandbox leaves out
     * {@code /sys} and binds the host's device nodes, as BuildKit's rootless runc spec and runc do.
     *
     * With {@code nativeHelper}, the setup runs in the native helper ({@link HelperBinary}, installed under
     * {@code stateRoot/.helper}) when this build of wharf has one for this machine: one process instead of the shell
     * path's ten or so, with the same namespaces, mounts, identity and limits ({@link HelperCommand}).
     *
     * @throws SandboxUnavailableException when {@code unshare}, {@code setpriv} or {@code sh} is missing
     */
    public UnshareSandbox(Path stateRoot, Executables tools, HostLimits limits, boolean rootless,
                          boolean nativeHelper) throws SandboxException {
        this(stateRoot, tools, limits, rootless, nativeHelper, OciSpecFactory.DEFAULT_CGROUP_PARENT);
    }

    /**
     * The five-argument constructor's sandbox with its runs' cgroups under {@code cgroupParent} instead of
     * {@value OciSpecFactory#DEFAULT_CGROUP_PARENT}, as {@link OciSpecFactory#OciSpecFactory(String)} places an OCI
     * runtime's: tests that check for leftover cgroups look at their own parent only, not at other builds'.
     */
    UnshareSandbox(Path stateRoot, Executables tools, HostLimits limits, boolean rootless, boolean nativeHelper,
                   String cgroupParent) throws SandboxException {
        this.cgroupParent = cgroupParent;
        this.limits = limits;
        this.rootless = rootless;
        this.setgroupsDenied = rootless && setgroupsDenied();
        try {
            this.posix = PosixFiles.system();
        } catch (LayerException e) {
            throw new SandboxUnavailableException("the built-in sandbox cannot call mknod: " + e.getMessage());
        }
        this.unshare = require(tools, "unshare");
        this.setpriv = require(tools, "setpriv");
        this.env = require(tools, "env");
        this.sh = require(tools, "sh");
        this.prlimit = tools.find("prlimit");
        this.ip = tools.find("ip");
        this.cgroup2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        this.state = new StateDirs(stateRoot);
        for (String id : state.sweep()) {
            // Every run has a cgroup now (CgroupLimits.tryCreate); a run whose JVM was killed leaves it, empty.
            CgroupDirs.remove(cgroupParent, id);
        }
        this.helper = nativeHelper ? HelperBinary.install(state.root().resolve(".helper")) : Optional.empty();
    }

    /** True when runs are set up by the native helper rather than the shell path. */
    public boolean usesNativeHelper() {
        return helper.isPresent();
    }

    private static Path require(Executables tools, String name) throws SandboxUnavailableException {
        return tools.find(name).orElseThrow(() -> new SandboxUnavailableException("the built-in sandbox needs `"
                + name + "` on PATH; install util-linux and coreutils (Debian/Ubuntu: apt-get install util-linux)"));
    }

    @Override
    public String name() {
        return "builtin";
    }

    @Override
    public SandboxProcess start(SandboxSpec spec, OutputListener listener) throws SandboxException {
        if (!spec.ulimits().isEmpty() && prlimit.isEmpty() && helper.isEmpty()) {
            throw new SandboxException("RUN --ulimit needs `prlimit` (util-linux) in the built-in sandbox");
        }
        StateDirs.Held run = state.create();
        CgroupLimits cgroup = null;
        try {
            // Every run gets a cgroup where one can be made (limits need one); the script moves itself into it
            // first, the helper starts the namespace's PID 1 in it (clone3 into the unified cgroup: no move, whose
            // RCU grace period was half of a `RUN true`), so everything the step starts is inside and a cancel
            // freezes and kills the whole tree. Without one (rootless, no writable cgroupfs) a cancel kills the
            // PID namespace's init only, as before.
            cgroup = !spec.resources().isEmpty()
                    ? CgroupLimits.create(cgroupParent, run.id(), spec.resources())
                    : rootless ? null : helper.isPresent()
                            ? CgroupLimits.tryCreateUnified(cgroupParent, run.id()).orElse(null)
                            : CgroupLimits.tryCreate(cgroupParent, run.id()).orElse(null);
            Path rootDir = run.dir().resolve("rootfs");
            Files.createDirectory(rootDir);
            RootView view = spec.rootView();
            MountStubs stubs = MountStubs.record(view, spec.rootfs().get(0).writableDir().map(Path::of),
                    stubDestinations(spec));
            Path ready = run.dir().resolve("ready");
            Process process = null;
            Optional<Path> helperPath = helper;
            if (helperPath.isPresent()) {
                List<String> command = HelperCommand.of(helperPath.get(), spec, view, rootDir, ready,
                        cgroup == null ? List.of() : cgroup.v1Procs(),
                        cgroup == null ? Optional.empty() : cgroup.unifiedDir(),
                        new HelperCommand.Host(limits, cgroup2, rootless, setgroupsDenied));
                try {
                    process = launcher.start(command);
                } catch (IOException e) {
                    // The state directory's file system may not allow exec (noexec): the shell path from now on.
                    helper = Optional.empty();
                }
            }
            boolean byHelper = process != null;
            if (process == null) {
                String script = (cgroup == null ? "" : "set -eu\n" + String.join("\n", cgroup.enterLines()) + "\n")
                        + script(spec, view, rootDir, ready);
                // setpriv --pdeathsig: if the JVM dies, unshare dies, and --kill-child takes PID 1 and its namespace.
                List<String> command = new ArrayList<>(List.of(
                        unshare.toString(), "--mount", "--uts", "--ipc", "--pid"));
                if (spec.network() == NetworkMode.NONE) {
                    command.add("--net");
                }
                command.addAll(List.of("--fork", "--kill-child", "--propagation", "private", "--",
                        sh.toString(), "-c", script, "wharf-sandbox"));
                process = launcher.start(Launcher.tiedToJvm(setpriv, sh, command));
            }
            return new SupervisedProcess(process, listener, new RunHooks(cgroup, stubs, run) {
                @Override
                Optional<ExitStatus> notExecuted(ExitStatus exited, String lastStderrLine) {
                    return byHelper ? ExecFailure.fromReadyFile(ready, exited)
                            : ExecFailure.fromUnshareMessage(lastStderrLine, exited);
                }
            }, ready, name(), pumps);
        } catch (IOException | RuntimeException | SandboxException e) {
            throw RunHooks.startFailed(e, cgroup, run, "built-in");
        }
    }

    private static boolean setgroupsDenied() {
        try {
            return Files.readString(Path.of("/proc/self/setgroups")).trim().equals("deny");
        } catch (IOException e) {
            return false;
        }
    }

    static List<String> stubDestinations(SandboxSpec spec) {
        List<String> names = new ArrayList<>(List.of("/etc/resolv.conf", "/etc/hosts"));
        for (SandboxMount m : spec.mounts()) {
            names.add(m.destination());
        }
        return names;
    }

    private String script(SandboxSpec spec, RootView view, Path rootDir, Path ready) throws IOException,
            SandboxException {
        List<String> lines = new ArrayList<>();
        lines.add("set -eu");
        lines.addAll(MountScript.PRELUDE);
        lines.add("R=" + Shell.quote(rootDir.toString()));
        lines.addAll(MountScript.mountRootfs(spec.rootfs()));
        lines.addAll(SetupScript.mounts(OciSpecFactory.mounts(spec, rootless), view, cgroup2, rootless,
                rootDir.getParent(), rootDir, posix));
        lines.addAll(MountScript.mkdirs(view, spec.cwd(), spec.user()));
        // The UTS namespace's hostname through procfs, a shell builtin instead of one more process; hostname(1)
        // where /proc/sys is read-only (wharf itself in a container).
        lines.add("{ printf %s " + Shell.quote(spec.hostname()) + " > /proc/sys/kernel/hostname; } 2>/dev/null"
                + " || hostname " + Shell.quote(spec.hostname()));
        if (spec.network() == NetworkMode.NONE && ip.isPresent()) {
            lines.add(Shell.quote(ip.get().toString()) + " link set lo up");
        }
        lines.add(": > " + Shell.quote(ready.toString()));
        lines.add("cd \"$R\"");
        lines.add("mount --move . /");
        lines.add("exec " + Shell.quote(exec(spec)));
        return String.join("\n", lines) + "\n";
    }

    /** The exec chain from the host root into the command: env, prlimit, setpriv, unshare --root. */
    private List<String> exec(SandboxSpec spec) {
        List<String> argv = new ArrayList<>();
        argv.add(env.toString());
        argv.add("-i");
        argv.add("--");
        argv.addAll(spec.env());
        if (!spec.ulimits().isEmpty()) {
            argv.add(prlimit.orElseThrow().toString());
            for (Ulimit u : spec.ulimits()) {
                Ulimit capped = limits.cap(u);
                argv.add("--" + capped.name() + "=" + capped.soft() + ":" + capped.hard());
            }
            argv.add("--");
        }
        argv.add(setpriv.toString());
        argv.add("--bounding-set");
        argv.add("-all," + OciSpecFactory.DEFAULT_CAPABILITIES.stream()
                .map(c -> "+" + c.substring("CAP_".length()).toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(",")));
        argv.add("--inh-caps");
        argv.add("-all");
        argv.add("--regid");
        argv.add(Long.toString(spec.user().gid()));
        if (setgroupsDenied) {
            // A single-id user namespace (no subordinate gids) forbids setgroups(2); the groups stay as they are.
            argv.add("--keep-groups");
        } else {
            // As BuildKit's ensureAdditionalGids: the primary gid is a supplementary group too.
            argv.add("--groups");
            argv.add(spec.user().groupsWithPrimary().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (spec.noNewPrivileges()) {
            argv.add("--no-new-privs");
        }
        argv.add("--");
        argv.add(unshare.toString());
        argv.add("--root=.");
        argv.add("--wd=" + spec.cwd());
        if (!spec.user().isRoot()) {
            argv.add("--setuid");
            argv.add(Long.toString(spec.user().uid()));
        }
        argv.add("--");
        argv.addAll(spec.args());
        return argv;
    }
}
