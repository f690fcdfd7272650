package dev.wharf.builder.plan;

import dev.wharf.grammar.SourceRange;
import java.util.Objects;
import java.util.Optional;

/**
 * Something worth telling the user that does not stop the build, such as build arguments no ARG consumed.
 *
 * <p>Immutable and thread-safe.
 */
public record PlanWarning(String message, Optional<SourceRange> range) {
    public PlanWarning {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(range, "range");
    }
}
