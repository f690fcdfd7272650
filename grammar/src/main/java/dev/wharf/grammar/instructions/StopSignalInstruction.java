package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.Objects;

/**
 * {@code STOPSIGNAL signal}: BuildKit's {@code StopSignalCommand}; the value is raw.
 *
 * <p>Immutable and thread-safe.
 */
public record StopSignalInstruction(Origin origin, Word signal) implements Instruction {
    public StopSignalInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(signal, "signal");
    }
}
