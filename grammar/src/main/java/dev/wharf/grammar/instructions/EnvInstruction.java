package dev.wharf.grammar.instructions;

import java.util.List;
import java.util.Objects;

/**
 * {@code ENV key=value …} (or the old {@code ENV key value}): BuildKit's {@code EnvCommand}; pairs are raw.
 *
 * <p>Immutable and thread-safe.
 */
public record EnvInstruction(Origin origin, List<KeyValue> pairs) implements Instruction {
    public EnvInstruction {
        Objects.requireNonNull(origin, "origin");
        pairs = List.copyOf(pairs);
    }
}
