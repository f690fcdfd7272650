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
        TIMED_OUT,
        /** The kernel's OOM killer ended it at the sandbox's memory limit ({@link ResourceLimits#memoryBytes}). */
        OUT_OF_MEMORY,
        /** It failed after a fork was refused at the sandbox's pids limit ({@link ResourceLimits#pids}). */
        PIDS_LIMIT,
        /**
         * The command could not be executed: the code is {@code docker run}'s, 127 when it was not found, 126 when
         * it is not executable, 125 for another failure to start it. The runtime's message is in the output.
         */
        NOT_EXECUTED
    }

    public ExitStatus {
        Objects.requireNonNull(termination, "termination");
    }

    /** True when the process exited by itself with code 0. */
    public boolean success() {
        return code == 0 && termination == Termination.EXITED;
    }
}
