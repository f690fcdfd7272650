package dev.wharf.grammar.instructions;

import java.util.List;
import java.util.Objects;

/**
 * {@code LABEL key=value …}: BuildKit's {@code LabelCommand}; pairs are raw.
 *
 * <p>Immutable and thread-safe.
 */
public record LabelInstruction(Origin origin, List<KeyValue> labels) implements Instruction {
    public LabelInstruction {
        Objects.requireNonNull(origin, "origin");
        labels = List.copyOf(labels);
    }
}
