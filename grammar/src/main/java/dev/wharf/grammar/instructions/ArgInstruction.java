package dev.wharf.grammar.instructions;

import java.util.List;
import java.util.Objects;

/**
 * {@code ARG name[=default] …}: BuildKit's {@code ArgCommand}; names and defaults are raw.
 *
 * <p>Immutable and thread-safe.
 */
public record ArgInstruction(Origin origin, List<ArgDefinition> args) implements Instruction {
    public ArgInstruction {
        Objects.requireNonNull(origin, "origin");
        args = List.copyOf(args);
    }
}
