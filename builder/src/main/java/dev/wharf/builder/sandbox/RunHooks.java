package dev.wharf.builder.sandbox;

import java.util.Optional;

/**
 * The end of a run, as both sandboxes ({@link UnshareSandbox}, {@link OciRuntimeSandbox}) handle it around the run's
 * cgroup (null when none could be made): a cancel freezes and kills everything in the cgroup at once; the exit status
 * is read through the cgroup's counters (an out-of-memory kill) before the sandbox's own check for a command that
 * could not be executed; the release removes the cgroup, the mount-point stubs and the run's state directory, after
 * the sandbox's own teardown. Subclasses say how a command that was not executed shows and add their teardown steps.
 * One instance per run; {@link SupervisedProcess} calls its release once.
 */
abstract class RunHooks implements SupervisedProcess.Hooks {
    private final CgroupLimits limits;
    private final MountStubs stubs;
    private final StateDirs.Held run;

    /** Hooks of the run in {@code run}'s directory, with the cgroup {@code limits} (or null) and {@code stubs}. */
    RunHooks(CgroupLimits limits, MountStubs stubs, StateDirs.Held run) {
        this.limits = limits;
        this.stubs = stubs;
        this.run = run;
    }

    @Override
    public final void kill() {
        // The host process is killed after this hook; with a cgroup, everything the step started is frozen and
        // killed at once first, so nothing escapes by forking meanwhile.
        if (limits != null) {
            limits.freezeAndKill();
        }
    }

    @Override
    public final ExitStatus classify(ExitStatus status, String lastStderrLine) {
        ExitStatus exited = limits == null ? status : limits.classify(status);
        return notExecuted(exited, lastStderrLine).orElse(exited);
    }

    @Override
    public final void release() throws SandboxException {
        releaseRuntime();
        if (limits != null) {
            limits.remove();
        }
        releaseCgroupLeftovers();
        stubs.clean();
        run.close();
    }

    /**
     * The status to report instead of {@code exited} when the command could not be executed (docker's 127 or 126),
     * as the sandbox tells it from what it left (a log, a message, a marker); empty when it ran.
     */
    abstract Optional<ExitStatus> notExecuted(ExitStatus exited, String lastStderrLine);

    /** The sandbox's own teardown before its cgroup is removed (an OCI runtime's container state); none here. */
    void releaseRuntime() throws SandboxException {
    }

    /** Cgroups the sandbox's runtime may have left after wharf's own is removed; none here. */
    void releaseCgroupLeftovers() {
    }

    /**
     * Undoes a start that failed before its process was handed to a {@link SupervisedProcess}: removes the cgroup (if
     * any) and the run's directory, and returns the failure to throw, as a {@link SandboxException} naming
     * {@code sandbox}.
     */
    static SandboxException startFailed(Exception failure, CgroupLimits cgroup, StateDirs.Held run, String sandbox)
            throws SandboxException {
        if (cgroup != null) {
            cgroup.remove();
        }
        run.close();
        return failure instanceof SandboxException s ? s
                : new SandboxException("cannot start the " + sandbox + " sandbox: " + failure.getMessage(), failure);
    }
}
