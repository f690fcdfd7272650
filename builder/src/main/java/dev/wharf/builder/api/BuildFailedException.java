package dev.wharf.builder.api;

import java.util.OptionalInt;

/**
 * A build failed at one step: carries the step's instruction text, the Dockerfile and line it is on, and, for a RUN
 * whose command failed, the exit code. The message reads like
 * {@code RUN exit 3 failed with exit code 3 at Dockerfile:7}.
 */
public class BuildFailedException extends EngineException {
    private static final long serialVersionUID = 1L;

    private final String step;
    private final String file;
    private final int line;
    private final Integer exitCode;
    private final String reason;
    private final boolean sourceShown;
    private final boolean afterSolve;

    /**
     * @param step     the instruction as shown in progress output, e.g. {@code RUN exit 3}
     * @param file     the Dockerfile's name
     * @param line     the 1-based line of the instruction, 0 when unknown
     * @param exitCode the command's exit code, or null when the step failed otherwise
     * @param reason   what went wrong, without the location
     */
    public BuildFailedException(String step, String file, int line, Integer exitCode, String reason,
                                Throwable cause) {
        this(step, file, line, exitCode, reason, cause, true);
    }

    /**
     * @param sourceShown whether a client shows the Dockerfile lines of {@code line} with the error: false where
     *                    BuildKit's error carries no source location although the step has a line (a remote
     *                    source's cache key, a refused entitlement), so buildx prints the {@code ERROR} line alone
     */
    public BuildFailedException(String step, String file, int line, Integer exitCode, String reason,
                                Throwable cause, boolean sourceShown) {
        this(step, file, line, exitCode, reason, cause, sourceShown, false);
    }

    /**
     * @param afterSolve the failure is the client's own, after BuildKit's solve succeeded (buildx's push through
     *                   the docker daemon), so buildx prints {@code ERROR: REASON}, not {@code failed to solve}
     */
    public BuildFailedException(String step, String file, int line, Integer exitCode, String reason,
                                Throwable cause, boolean sourceShown, boolean afterSolve) {
        super(message(step, file, line, exitCode, reason), cause);
        this.step = step;
        this.file = file;
        this.line = line;
        this.exitCode = exitCode;
        this.reason = reason;
        this.sourceShown = sourceShown;
        this.afterSolve = afterSolve;
    }

    /** Whether the failure came after the solve (buildx's push with the docker driver), not from it. */
    public boolean afterSolve() {
        return afterSolve;
    }

    /** Whether the Dockerfile lines of the failed step belong with the error, as buildx prints them. */
    public boolean sourceShown() {
        return sourceShown;
    }

    private static String message(String step, String file, int line, Integer exitCode, String reason) {
        String where = line > 0 ? " at " + file + ":" + line : "";
        if (exitCode != null) {
            return step + " failed with exit code " + exitCode + where;
        }
        return step + " failed" + where + ": " + reason;
    }

    /**
     * What went wrong, without the step or location: BuildKit's error, e.g. {@code process "/bin/sh -c make" did
     * not complete successfully: exit code: 2}, which {@code docker build} prints as {@code ERROR: failed to solve:
     * REASON}.
     */
    public String reason() {
        return reason;
    }

    /** The failed step's instruction text. */
    public String step() {
        return step;
    }

    /** The Dockerfile's name. */
    public String file() {
        return file;
    }

    /** The 1-based line of the failed instruction, 0 when unknown. */
    public int line() {
        return line;
    }

    /** The exit code of the failed command, when a command failed. */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }
}
