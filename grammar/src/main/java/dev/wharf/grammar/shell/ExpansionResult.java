package dev.wharf.grammar.shell;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The outcome of {@link ShellLexer#processWordWithMatches}: the expanded word and which variables it
 * looked up, found ({@code matched}) or not ({@code unmatched}), BuildKit's {@code ProcessWordResult}.
 *
 * <p>Immutable and thread-safe. The sets keep the order of first lookup. Names are as written in the word
 * (on Windows {@code $pwd} is recorded as {@code pwd}); positional and special parameters such as
 * {@code 1} or {@code @} are looked up, and so recorded, like any other name.
 */
public record ExpansionResult(String value, Set<String> matched, Set<String> unmatched) {

    public ExpansionResult {
        Objects.requireNonNull(value, "value");
        matched = Collections.unmodifiableSet(new LinkedHashSet<>(matched));
        unmatched = Collections.unmodifiableSet(new LinkedHashSet<>(unmatched));
    }
}
