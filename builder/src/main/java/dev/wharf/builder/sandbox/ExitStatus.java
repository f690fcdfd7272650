package dev.wharf.builder.sandbox;

import java.util.Objects;

/**
 * How a sandboxed process ended. Immutable.
 *
 * @param code        the exit code; 128 + signal number when a signal killed it, as a shell reports
 * @param termination whether it exited by itself or was cancelled or timed out
 */
public record ExitStatus(int code, Termination termination) {
    /** Why the process ended. */
    public enum Termination {
        /** It exited on its own (possibly killed by a signal from inside the sandbox). */
        EXITED,
        /** {@link SandboxProcess#cancel()} killed it. */
        CANCELLED,
        /** The timeout given to {@link SandboxProcess#waitFor(java.time.Duration)} expired and it was killed. */
        TIMED_OUT
    }

    public ExitStatus {
        Objects.requireNonNull(termination, "termination");
    }

    /** True when the process exited by itself with code 0. */
    public boolean success() {
        return code == 0 && termination == Termination.EXITED;
    }
}
