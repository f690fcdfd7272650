package dev.wharf.grammar.instructions;

import dev.wharf.grammar.SourceRange;
import java.util.Objects;
import java.util.Optional;

/**
 * One name of an ARG instruction with its optional default, raw: BuildKit's {@code KeyValuePairOptional}.
 * {@code docComment} is the comment line above the instruction that starts with the name and a space, without
 * that prefix ("" when none).
 *
 * <p>Immutable and thread-safe.
 */
public record ArgDefinition(String key, Optional<String> defaultValue, String docComment, SourceRange range) {
    public ArgDefinition {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(docComment, "docComment");
        Objects.requireNonNull(range, "range");
    }
}
