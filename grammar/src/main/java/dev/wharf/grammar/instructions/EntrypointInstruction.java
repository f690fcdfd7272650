package dev.wharf.grammar.instructions;

import java.util.Objects;

/**
 * {@code ENTRYPOINT command}: the entry point of the image (BuildKit's {@code EntrypointCommand}).
 *
 * <p>Immutable and thread-safe.
 */
public record EntrypointInstruction(Origin origin, CommandLine command) implements Instruction {
    public EntrypointInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(command, "command");
    }
}
