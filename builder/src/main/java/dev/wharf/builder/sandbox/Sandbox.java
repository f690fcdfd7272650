package dev.wharf.builder.sandbox;

/**
 * Runs one process in an isolated root filesystem, as BuildKit's {@code executor.Executor.Run} does for a RUN step:
 * its own mount, PID, UTS and IPC namespaces (and network unless {@link NetworkMode#HOST}), Docker's default
 * capabilities, masked {@code /proc} paths. The root filesystem's mounts are performed inside the sandbox's own mount
 * namespace, so nothing stays mounted on the host, even after {@code kill -9}.
 *
 * <p>Implementations are thread-safe; each {@link #start} is independent.
 */
public interface Sandbox {
    /** A short name for messages, e.g. {@code runc} or {@code builtin}. */
    String name();

    /** Starts the process; output is streamed to {@code listener} line by line. */
    SandboxProcess start(SandboxSpec spec, OutputListener listener) throws SandboxException;

    /** Starts the process, waits for it and releases everything; returns how it ended. */
    default ExitStatus run(SandboxSpec spec, OutputListener listener) throws SandboxException,
            InterruptedException {
        try (SandboxProcess process = start(spec, listener)) {
            return process.waitFor();
        }
    }
}
