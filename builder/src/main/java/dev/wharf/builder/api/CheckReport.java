package dev.wharf.builder.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the build checks of a Dockerfile found without building it ({@link BuildEngine#check}; buildx's
 * {@code --check}, BuildKit's {@code lint.LintResults}): the findings and, when planning could not finish, the error
 * that stopped it with the lines it points at.
 *
 * <p>Immutable and thread-safe.
 *
 * @param file           the Dockerfile's name
 * @param warnings       the findings, in the order made
 * @param error          the reason planning stopped, e.g. {@code lint violation found for rules: FromAsCasing}
 * @param errorStartLine the first line the error points at, 0 when none
 * @param errorEndLine   the last line the error points at, 0 when none
 */
public record CheckReport(String file, List<BuildEvent.Check> warnings, Optional<String> error, int errorStartLine,
                          int errorEndLine) {
    public CheckReport {
        Objects.requireNonNull(file, "file");
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(error, "error");
    }

    /** Whether the check failed: a finding or an error (BuildKit's {@code result.statuscode} 1). */
    public boolean failed() {
        return !warnings.isEmpty() || error.isPresent();
    }
}
