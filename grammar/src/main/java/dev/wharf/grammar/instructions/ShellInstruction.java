package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;

/**
 * {@code SHELL ["executable", "param"]}: the shell for shell-form commands; JSON form only
 * (BuildKit's {@code ShellCommand}).
 *
 * <p>Immutable and thread-safe.
 */
public record ShellInstruction(Origin origin, List<Word> shell) implements Instruction {
    public ShellInstruction {
        Objects.requireNonNull(origin, "origin");
        shell = List.copyOf(shell);
    }
}
