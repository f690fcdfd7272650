package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.RootView;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A sandbox run by an OCI runtime ({@code runc} or {@code crun}) from a generated {@code config.json}
 * ({@link OciSpecFactory}), as BuildKit's {@code executor/runcexecutor} does. The runtime itself is started inside a
 * private mount namespace ({@code unshare --mount}) where the root filesystem's overlay is mounted on the bundle's
 * {@code rootfs}, so the mount exists only as long as that namespace and never on the host. It is also PID 1 of a
 * PID namespace of its own, with a parent-death signal ({@link Launcher}): runc leaves the container running when it
 * is killed itself, but a PID namespace dies with its init, so cancelling the run or killing the JVM ends the
 * container too.
 *
 * <p>Each run has a unique container id ({@code wharf-<hex>}) and its own bundle; the runtime's state lives under
 * the sandbox's state root ({@code --root}), and {@code delete --force} always runs at the end. crun on a cgroup
 * hybrid host needs the unified hierarchy unmounted in its namespace, which the private namespace allows without
 * touching the host. The namespace is set up by the native helper ({@link HelperBinary}, its {@code host} mode)
 * when wharf was built with gcc, else by util-linux {@code setpriv} and {@code unshare} and a shell script.
 * Thread-safe.
 */
public final class OciRuntimeSandbox implements Sandbox {
    private static final long RUNTIME_COMMAND_SECONDS = 30;

    private final String name;
    private final Path runtime;
    private final Path runtimeRoot;
    private final Path unshare;
    private final Path sh;
    private final Path setpriv;
    private final Launcher launcher = new Launcher();
    private final OutputPumps pumps = new OutputPumps();
    private final StateDirs state;
    private final OciSpecFactory.HostFacts host;
    private final OciSpecFactory factory;
    private volatile Optional<Path> helper;

    /**
     * Makes a sandbox that runs {@code runtime} (named {@code runc} or {@code crun}) and keeps per-run state under
     * {@code stateRoot}; sweeps bundles and runtime state that dead runs left behind.
     */
    public OciRuntimeSandbox(String name, Path runtime, Path stateRoot, Executables tools,
                             OciSpecFactory.HostFacts host) throws SandboxException {
        this(name, runtime, stateRoot, tools, host, new OciSpecFactory());
    }

    /** As above, with containers' cgroups placed by {@code factory}'s cgroup parent. */
    public OciRuntimeSandbox(String name, Path runtime, Path stateRoot, Executables tools,
                             OciSpecFactory.HostFacts host, OciSpecFactory factory) throws SandboxException {
        this(name, runtime, stateRoot, tools, host, factory, true);
    }

    /**
     * As above; with {@code nativeHelper} the runtime's namespace is set up by the native helper
     * ({@link HelperBinary}) when this build has one, in one process instead of setpriv, unshare, sh and mount.
     */
    public OciRuntimeSandbox(String name, Path runtime, Path stateRoot, Executables tools,
                             OciSpecFactory.HostFacts host, OciSpecFactory factory, boolean nativeHelper)
            throws SandboxException {
        this.name = name;
        this.factory = factory;
        this.runtime = runtime;
        this.host = host;
        this.unshare = tools.find("unshare").orElseThrow(() -> new SandboxUnavailableException(
                "the " + name + " sandbox needs `unshare` on PATH to mount the root filesystem privately;"
                        + " install util-linux"));
        this.sh = tools.find("sh").orElseThrow(() -> new SandboxUnavailableException("no `sh` on PATH"));
        this.setpriv = tools.find("setpriv").orElseThrow(() -> new SandboxUnavailableException(
                "the " + name + " sandbox needs `setpriv` on PATH to tie sandboxes to the JVM's life;"
                        + " install util-linux"));
        this.state = new StateDirs(stateRoot.resolve(name));
        this.runtimeRoot = state.root().resolve(".runtime");
        try {
            Files.createDirectories(runtimeRoot);
        } catch (IOException e) {
            throw new SandboxException("cannot create " + runtimeRoot + ": " + e.getMessage(), e);
        }
        for (String id : state.sweep()) {
            runtimeCommand("delete", "--force", id);
            CgroupDirs.remove(factory.cgroupParent(), id);
        }
        this.helper = nativeHelper ? HelperBinary.install(state.root().resolve(".helper")) : Optional.empty();
    }

    /** True when the runtime is started by the native helper rather than util-linux and a shell script. */
    public boolean usesNativeHelper() {
        return helper.isPresent();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SandboxProcess start(SandboxSpec spec, OutputListener listener) throws SandboxException {
        StateDirs.Held runDir = state.create();
        String id = runDir.id();
        CgroupLimits cgroup = null;
        try {
            // The container's cgroup nests in one of wharf's own (OciSpecFactory), which outlives the runtime's
            // (deleted when the container exits) so that an out-of-memory kill can be told afterwards, and which a
            // cancel freezes and kills whole, limits or not. Without limits it is made where it can be.
            cgroup = !spec.resources().isEmpty() ? CgroupLimits.create(factory.cgroupParent(), id, spec.resources())
                    : host.rootless() ? null : CgroupLimits.tryCreate(factory.cgroupParent(), id).orElse(null);
            Path bundle = runDir.dir();
            Path rootDir = bundle.resolve("rootfs");
            Files.createDirectory(rootDir);
            OciSpec config = factory.create(spec, id, "rootfs", host);
            Files.write(bundle.resolve("config.json"), OciSpecJson.write(config));
            RootView view = spec.rootView();
            MountStubs stubs = MountStubs.record(view, spec.rootfs().get(0).writableDir().map(Path::of),
                    UnshareSandbox.stubDestinations(spec));
            Path ready = bundle.resolve("ready");

            List<String> invoke = new ArrayList<>(List.of(runtime.toString(), "--root", runtimeRoot.toString()));
            if (name.equals("runc")) {
                // As BuildKit's runcexecutor (executor.go: Log runc-log.json, LogFormat JSON): with its log in a
                // file, runc prints a failure to start the process on the step's stderr as plain text
                // ('runc run failed: unable to start container process: exec: "x": ...'), not as a logrus line.
                invoke.addAll(List.of("--log", bundle.resolve("runc-log.json").toString(), "--log-format", "json"));
            }
            if (host.rootless() && name.equals("crun")) {
                // The spec has no cgroup in rootless mode (BuildKit's ToRootless); crun would still join one.
                invoke.add("--cgroup-manager=disabled");
            }
            invoke.addAll(List.of("run", "--bundle", bundle.toString()));
            if (cgroup != null && !spec.resources().isEmpty() && name.equals("runc")) {
                // The container's cgroup holds the counters of the limits it hit (a refused fork is counted
                // where the forking process is, not where the limit is); --keep leaves it until the delete below.
                // crun 1.8 has no --keep: there a refused fork shows only as the step's own error and exit code.
                invoke.add("--keep");
            }
            invoke.add(id);
            // In a user namespace the host's cgroup2 mount is locked and cannot be unmounted; an empty tmpfs over
            // it makes crun see the legacy hierarchy alone all the same.
            List<String> hide = name.equals("crun") ? List.of("/sys/fs/cgroup/unified") : List.of();
            Process process = null;
            Optional<Path> helperPath = helper;
            if (helperPath.isPresent()) {
                List<String> command = HelperCommand.forRuntime(helperPath.get(), spec, view, rootDir, ready, hide,
                        invoke);
                try {
                    process = launcher.start(command);
                } catch (IOException e) {
                    // The state directory's file system may not allow exec (noexec): the shell path from now on.
                    helper = Optional.empty();
                }
            }
            if (process == null) {
                List<String> lines = new ArrayList<>();
                lines.add("set -eu");
                lines.addAll(MountScript.PRELUDE);
                lines.add("R=" + Shell.quote(rootDir.toString()));
                lines.addAll(MountScript.mountRootfs(spec.rootfs()));
                // BuildKit's runcexecutor creates the working directory, owned by the process's user.
                lines.addAll(MountScript.mkdirs(view, spec.cwd(), spec.user()));
                for (String path : hide) {
                    lines.add("umount " + Shell.quote(path) + " 2>/dev/null || mount -t tmpfs -o ro tmpfs "
                            + Shell.quote(path) + " 2>/dev/null || true");
                }
                lines.add(": > " + Shell.quote(ready.toString()));
                lines.add("exec " + Shell.quote(invoke));
                // The runtime runs as PID 1 of a namespace of its own: whatever kills it (the JVM dying, through
                // --pdeathsig and --kill-child, or a cancel) kills the container too, which runc alone does not do.
                process = launcher.start(Launcher.tiedToJvm(setpriv, sh, List.of(
                        unshare.toString(), "--mount", "--pid", "--fork", "--kill-child", "--mount-proc",
                        "--propagation", "private", "--", sh.toString(), "-c", String.join("\n", lines) + "\n")));
            }
            return new SupervisedProcess(process, listener, new RunHooks(cgroup, stubs, runDir) {
                @Override
                Optional<ExitStatus> notExecuted(ExitStatus exited, String lastStderrLine) {
                    return name.equals("runc") ? ExecFailure.fromRuncLog(bundle.resolve("runc-log.json"), exited)
                            : ExecFailure.fromCrunMessage(lastStderrLine, exited);
                }

                @Override
                void releaseRuntime() {
                    // `run` deletes its container when the process exits; only a killed runtime leaves state,
                    // and a delete costs two more process starts per RUN.
                    if (Files.exists(runtimeRoot.resolve(id))) {
                        runtimeCommand("delete", "--force", id);
                    }
                }

                @Override
                void releaseCgroupLeftovers() {
                    CgroupDirs.remove(factory.cgroupParent(), id);
                }
            }, ready, name, pumps);
        } catch (IOException | RuntimeException | SandboxException e) {
            throw RunHooks.startFailed(e, cgroup, runDir, name);
        }
    }

    /**
     * Runs {@code <runtime> --root <state> args...}, ignoring failure (the container may be gone already). The
     * runtime recorded the container's PID as seen inside the outer namespace, so it runs in a fresh, empty PID
     * namespace here: a stale PID there can never name a host process.
     */
    private void runtimeCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(unshare.toString(), "--mount", "--pid", "--fork",
                "--mount-proc", "--propagation", "private", "--", runtime.toString(), "--root",
                runtimeRoot.toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(RUNTIME_COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // The runtime vanished; its state directory is deleted with the run directory.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
