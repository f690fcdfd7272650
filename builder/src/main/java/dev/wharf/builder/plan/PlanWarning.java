package dev.wharf.builder.plan;

import dev.wharf.builder.plan.lint.CheckWarning;
import dev.wharf.grammar.SourceRange;
import java.util.Objects;
import java.util.Optional;

/**
 * Something worth telling the user that does not stop the build, such as the
 * finding of a build check ({@code check}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param message what to tell; for a check, its detail
 * @param range   the lines it is about
 * @param check   the build check finding it reports, if it is one
 */
public record PlanWarning(String message, Optional<SourceRange> range, Optional<CheckWarning> check) {
    public PlanWarning {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(check, "check");
    }

    /** A warning that is not a build check. */
    public PlanWarning(String message, Optional<SourceRange> range) {
        this(message, range, Optional.empty());
    }

    /** The warning of a build check finding. */
    public static PlanWarning of(CheckWarning check) {
        return new PlanWarning(check.detail(), check.range(), Optional.of(check));
    }
}
