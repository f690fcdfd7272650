package dev.wharf.grammar.parser;

import java.util.Map;
import java.util.Optional;

/**
 * The parser directives found at the top of a Dockerfile ({@code # syntax=}, {@code # escape=}, {@code # check=}).
 *
 * <p>Immutable and thread-safe. Names are lower-cased.
 *
 * @param escapeChar the escape character in force: {@code \} or {@code `}
 * @param all        every recognised directive by lower-cased name, value trimmed
 */
public record Directives(char escapeChar, Map<String, String> all) {

    public static final char DEFAULT_ESCAPE = '\\';

    public Directives {
        if (escapeChar != '\\' && escapeChar != '`') {
            throw new IllegalArgumentException("escape must be \\ or `, was " + escapeChar);
        }
        all = Map.copyOf(all);
    }

    public static Directives defaults() {
        return new Directives(DEFAULT_ESCAPE, Map.of());
    }

    public Optional<String> syntax() {
        return Optional.ofNullable(all.get("syntax"));
    }

    public Optional<String> check() {
        return Optional.ofNullable(all.get("check"));
    }
}
