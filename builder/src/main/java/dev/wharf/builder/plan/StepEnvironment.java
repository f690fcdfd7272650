package dev.wharf.builder.plan;

import java.util.List;
import java.util.Objects;

/**
 * The state a step runs in: the environment variables (the image's ENV plus the stage's ARGs, in BuildKit's
 * order), the working directory, the user and the shell for shell-form commands.
 *
 * <p>Immutable and thread-safe.
 *
 * @param env        {@code KEY=VALUE} entries
 * @param workingDir absolute; {@code /} by default
 * @param user       "" for the default (root)
 * @param shell      the shell command prefix ({@code /bin/sh -c} unless SHELL changed it)
 */
public record StepEnvironment(List<String> env, String workingDir, String user, List<String> shell) {
    public StepEnvironment {
        env = List.copyOf(env);
        Objects.requireNonNull(workingDir, "workingDir");
        Objects.requireNonNull(user, "user");
        shell = List.copyOf(shell);
    }
}
