package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.Objects;

/**
 * {@code USER user[:group]}: BuildKit's {@code UserCommand}; the value is raw.
 *
 * <p>Immutable and thread-safe.
 */
public record UserInstruction(Origin origin, Word user) implements Instruction {
    public UserInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(user, "user");
    }
}
