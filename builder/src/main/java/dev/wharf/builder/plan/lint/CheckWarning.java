package dev.wharf.builder.plan.lint;

import dev.wharf.grammar.SourceRange;
import java.util.Objects;
import java.util.Optional;

/**
 * One finding of a build check: the rule, BuildKit's message for it ({@code detail}) and the lines it points at.
 *
 * <p>Immutable and thread-safe.
 *
 * @param rule   the rule that fired
 * @param detail the message, e.g. {@code JSON arguments recommended for CMD to prevent ...}
 * @param range  the instruction it is about; empty for a finding about the whole file
 */
public record CheckWarning(CheckRule rule, String detail, Optional<SourceRange> range) {
    public CheckWarning {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(range, "range");
    }

    /** The first line the warning points at, or 0 when it has no location. */
    public int line() {
        return range.map(r -> r.start().line()).orElse(0);
    }

    /**
     * The one-line form docker build prints ({@code RuleName: detail (line N)}): BuildKit's
     * {@code linter.LintFormatShort}.
     */
    public String shortText() {
        String text = rule.ruleName() + ": " + detail;
        return line() > 0 ? text + " (line " + line() + ")" : text;
    }
}
