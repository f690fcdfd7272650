package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;

/**
 * {@code EXPOSE port[/proto] …}: BuildKit's {@code ExposeCommand}. Like upstream, the ports are sorted
 * (as strings); they are raw and parsed into port specs later.
 *
 * <p>Immutable and thread-safe.
 */
public record ExposeInstruction(Origin origin, List<Word> ports) implements Instruction {
    public ExposeInstruction {
        Objects.requireNonNull(origin, "origin");
        ports = List.copyOf(ports);
    }
}
