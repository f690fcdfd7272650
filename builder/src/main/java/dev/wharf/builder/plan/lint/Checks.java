package dev.wharf.builder.plan.lint;

import dev.wharf.grammar.SourceRange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Collects the findings of one build's checks under a {@link CheckConfig}: BuildKit's {@code linter.Linter}. Views
 * made by {@link #withComments} add the configuration of an instruction's {@code # check=} comment and report into
 * the same collection.
 *
 * <p>Not thread-safe: one instance per planning, used by one thread.
 */
public final class Checks {

    private final CheckConfig config;
    private final List<CheckWarning> found;

    private Checks(CheckConfig config, List<CheckWarning> found) {
        this.config = config;
        this.found = found;
    }

    /** An empty collection checking under {@code config}. */
    public static Checks under(CheckConfig config) {
        return new Checks(Objects.requireNonNull(config, "config"), new ArrayList<>());
    }

    /** The configuration in force for this view. */
    public CheckConfig config() {
        return config;
    }

    /** A view whose configuration adds that of a {@code # check=} line among {@code comments}. */
    public Checks withComments(List<String> comments) {
        CheckConfig merged = config.withComments(comments);
        return merged == config ? this : new Checks(merged, found);
    }

    /** Records a finding of {@code rule} at {@code range} unless the configuration turns the rule off. */
    public void report(CheckRule rule, SourceRange range, String detail) {
        report(rule, Optional.of(range), detail);
    }

    /** Records a finding, possibly without a location. */
    public void report(CheckRule rule, Optional<SourceRange> range, String detail) {
        if (config.enabled(rule)) {
            found.add(new CheckWarning(rule, detail, range));
        }
    }

    /** Every finding so far, in the order reported. */
    public List<CheckWarning> warnings() {
        return List.copyOf(found);
    }

    /**
     * With {@code error=true} and findings: BuildKit's error, {@code lint violation found for rules: A, B} (the
     * rules in the order they first fired; BuildKit walks a Go map).
     */
    public Optional<String> violation() {
        if (!config.error() || found.isEmpty()) {
            return Optional.empty();
        }
        Set<String> rules = new LinkedHashSet<>();
        found.forEach(w -> rules.add(w.rule().ruleName()));
        return Optional.of("lint violation found for rules: " + String.join(", ", rules));
    }
}
