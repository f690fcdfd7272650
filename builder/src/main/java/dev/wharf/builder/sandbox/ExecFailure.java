package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Tells a command that could not be executed (not found, not executable) from one that ran and exited, for each
 * runtime, and gives it {@code docker run}'s exit code: 127 when the command or a path to it does not exist, 126
 * when it is not executable (permission denied, a directory), 125 for another failure to start it (docker/cli
 * {@code runStartContainerErr}, which reads the runtime's message the same way). Stateless.
 */
final class ExecFailure {
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EISDIR = 21;

    /** runc's message for a process it could not start (libcontainer: "exec: %q: ..."), in its JSON log. */
    private static final String RUNC_EXEC = "unable to start container process: exec: ";

    private ExecFailure() {
    }

    /**
     * The built-in sandbox's helper writes {@code exec ERRNO} into its ready file when the exec failed (the file is
     * empty otherwise).
     */
    static Optional<ExitStatus> fromReadyFile(Path ready, ExitStatus status) {
        if (status.termination() != ExitStatus.Termination.EXITED || status.code() == 0) {
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(ready).strip();
        } catch (IOException e) {
            return Optional.empty(); // released already, or never made: nothing to tell
        }
        if (!text.startsWith("exec ")) {
            return Optional.empty();
        }
        int errno;
        try {
            errno = Integer.parseInt(text.substring("exec ".length()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        int code = errno == ENOENT ? 127 : errno == EACCES || errno == EISDIR ? 126 : 125;
        return Optional.of(new ExitStatus(code, ExitStatus.Termination.NOT_EXECUTED));
    }

    /**
     * runc exits 1 and logs {@code runc run failed: unable to start container process: exec: "x": ...} at level
     * error in the JSON log it is given; the container's own output never reaches that file.
     */
    static Optional<ExitStatus> fromRuncLog(Path log, ExitStatus status) {
        if (status.termination() != ExitStatus.Termination.EXITED || status.code() != 1) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            int at = line.indexOf(RUNC_EXEC);
            if (line.contains("\"level\":\"error\"") && at >= 0) {
                return Optional.of(new ExitStatus(dockerCode(line.substring(at)),
                        ExitStatus.Termination.NOT_EXECUTED));
            }
        }
        return Optional.empty();
    }

    /**
     * crun exits 1 after printing, as its last line, {@code executable file `x` not found in $PATH: No such file or
     * directory} or {@code open executable: Permission denied} (or {@code Operation not permitted} for a directory).
     */
    static Optional<ExitStatus> fromCrunMessage(String lastStderrLine, ExitStatus status) {
        if (status.termination() != ExitStatus.Termination.EXITED || status.code() != 1) {
            return Optional.empty();
        }
        String line = lastStderrLine.strip();
        if (line.startsWith("executable file `") && line.contains("` not found in $PATH")) {
            return Optional.of(new ExitStatus(127, ExitStatus.Termination.NOT_EXECUTED));
        }
        if (line.startsWith("open executable: ")) {
            return Optional.of(new ExitStatus(126, ExitStatus.Termination.NOT_EXECUTED));
        }
        return Optional.empty();
    }

    /**
     * The built-in sandbox's shell path ends in util-linux {@code unshare --root}, which prints {@code unshare: failed
     * to execute x: No such file or directory} and exits 127 (126 for another errno).
     */
    static Optional<ExitStatus> fromUnshareMessage(String lastStderrLine, ExitStatus status) {
        if (status.termination() != ExitStatus.Termination.EXITED
                || (status.code() != 127 && status.code() != 126)) {
            return Optional.empty();
        }
        String line = lastStderrLine.strip();
        if (!line.startsWith("unshare: failed to execute ")) {
            return Optional.empty();
        }
        return Optional.of(new ExitStatus(dockerCode(line.toLowerCase(java.util.Locale.ROOT)),
                ExitStatus.Termination.NOT_EXECUTED));
    }

    /** docker/cli's reading of the runtime's message. */
    private static int dockerCode(String message) {
        if (message.contains("executable file not found") || message.contains("no such file or directory")) {
            return 127;
        }
        if (message.contains("permission denied") || message.contains("is a directory")) {
            return 126;
        }
        return 125;
    }
}
