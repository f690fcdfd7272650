package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.Objects;

/**
 * {@code MAINTAINER name} (deprecated): BuildKit's {@code MaintainerCommand}; the value is raw.
 *
 * <p>Immutable and thread-safe.
 */
public record MaintainerInstruction(Origin origin, Word maintainer) implements Instruction {
    public MaintainerInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(maintainer, "maintainer");
    }
}
