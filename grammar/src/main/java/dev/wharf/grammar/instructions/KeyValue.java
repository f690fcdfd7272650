package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.Objects;

/**
 * One {@code key=value} of ENV or LABEL, raw (quotes kept as the parser gave them): BuildKit's
 * {@code KeyValuePair}. {@code noDelimiter} marks the old form {@code ENV key value} (no {@code =}).
 *
 * <p>Immutable and thread-safe.
 */
public record KeyValue(Word key, Word value, boolean noDelimiter) {
    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
