package dev.wharf.builder.sandbox;

import java.time.Duration;

/**
 * A running sandboxed process: wait for it, cancel it, and always close it (try-with-resources). Cancelling or
 * closing kills the whole process tree, and closing releases everything the sandbox acquired (runtime state,
 * bundle, mount stubs). Thread-safe: {@link #cancel()} may be called from any thread while another waits.
 */
public interface SandboxProcess extends AutoCloseable {
    /** Waits until the process has ended and its output has been delivered. */
    ExitStatus waitFor() throws InterruptedException, SandboxException;

    /**
     * Waits at most {@code timeout}; when it expires the process tree is killed and the status says
     * {@link ExitStatus.Termination#TIMED_OUT}.
     */
    ExitStatus waitFor(Duration timeout) throws InterruptedException, SandboxException;

    /** Kills the whole process tree; {@link #waitFor()} then returns {@link ExitStatus.Termination#CANCELLED}. */
    void cancel();

    /** Kills the process tree if still running, waits for it, and releases all sandbox resources. */
    @Override
    void close() throws SandboxException;
}
