package dev.wharf.grammar.instructions;

import java.util.Objects;

/**
 * {@code CMD command}: the default command of the image (BuildKit's {@code CmdCommand}).
 *
 * <p>Immutable and thread-safe.
 */
public record CmdInstruction(Origin origin, CommandLine command) implements Instruction {
    public CmdInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(command, "command");
    }
}
