package dev.wharf.maven;

import dev.wharf.builder.api.BuildFailedException;
import java.util.List;

/**
 * Turns a failed build into the text of a Maven error: what failed (the step, its Dockerfile and line, the exit
 * code) on the first line, then the step's last output lines and what to do. Maven prints this message under
 * {@code [ERROR] Failed to execute goal ...} without a stack trace (unless {@code -e}).
 *
 * <p>Stateless and thread-safe.
 */
final class FailureMessage {
    private FailureMessage() {
    }

    /**
     * The message for a build that failed at a step.
     *
     * @param failure the engine's report of the failed step
     * @param tail    the failed step's last output lines, oldest first
     */
    static String of(BuildFailedException failure, List<String> tail) {
        StringBuilder text = new StringBuilder("Image build failed: ").append(failure.getMessage());
        text.append(System.lineSeparator()).append("  step:      ").append(failure.step());
        if (failure.line() > 0) {
            text.append(System.lineSeparator()).append("  location:  ").append(failure.file()).append(':')
                    .append(failure.line());
        }
        failure.exitCode().ifPresent(code ->
                text.append(System.lineSeparator()).append("  exit code: ").append(code));
        if (!tail.isEmpty()) {
            text.append(System.lineSeparator()).append("  last output lines:");
            for (String line : tail) {
                text.append(System.lineSeparator()).append("    > ").append(line);
            }
        }
        text.append(System.lineSeparator())
                .append("  Fix the step in the Dockerfile; run Maven with -X to see every output line.");
        return text.toString();
    }
}
