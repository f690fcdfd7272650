package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.plan.PlanWarning;
import dev.wharf.builder.plan.lint.CheckWarning;
import java.util.Optional;

/**
 * Turns the planner's warnings into progress events: a build check's finding carries its rule, documentation
 * link and lines, and reads as BuildKit's short form ({@code RuleName: detail (line N)}).
 *
 * <p>Stateless and thread-safe.
 */
final class PlanWarnings {

    private PlanWarnings() {
    }

    /** The event for {@code warning} of the Dockerfile named {@code file}. */
    static BuildEvent.Warning event(String file, PlanWarning warning) {
        if (warning.check().isEmpty()) {
            return new BuildEvent.Warning(warning.message());
        }
        return event(file, warning.check().get());
    }

    /** The event for a build check's finding in the Dockerfile named {@code file}. */
    static BuildEvent.Warning event(String file, CheckWarning check) {
        int start = check.range().map(r -> r.start().line()).orElse(0);
        int end = check.range().map(r -> r.end().line()).orElse(0);
        return new BuildEvent.Warning(check.shortText(), Optional.of(new BuildEvent.Check(check.rule().ruleName(),
                check.rule().description(), check.rule().url(), check.detail(), file, start, end)));
    }
}
