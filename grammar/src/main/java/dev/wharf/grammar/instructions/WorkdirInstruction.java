package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.Objects;

/**
 * {@code WORKDIR path}: BuildKit's {@code WorkdirCommand}; the value is raw.
 *
 * <p>Immutable and thread-safe.
 */
public record WorkdirInstruction(Origin origin, Word path) implements Instruction {
    public WorkdirInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(path, "path");
    }
}
