package dev.wharf.builder.plan;

import dev.wharf.builder.plan.lint.CheckWarning;
import dev.wharf.grammar.DockerfileException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Planner#check} found: the build checks' findings in the order made and, when planning could not go
 * on, the error that stopped it (BuildKit's {@code lint.LintResults} with its {@code buildError}).
 *
 * <p>Immutable and thread-safe.
 */
public record CheckResult(List<CheckWarning> warnings, Optional<DockerfileException> error) {
    public CheckResult {
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(error, "error");
    }
}
