package dev.wharf.grammar.parser;

import java.util.Objects;

/**
 * One parser directive ({@code # syntax=docker/dockerfile:1}) as BuildKit's {@code DirectiveParser} reports it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name  the lower-cased name: {@code syntax}, {@code escape} or {@code check}
 * @param value the value, trimmed
 * @param line  the 1-based line the directive is on, counted as the directive parser counts lines
 */
public record Directive(String name, String value, int line) {
    public Directive {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
