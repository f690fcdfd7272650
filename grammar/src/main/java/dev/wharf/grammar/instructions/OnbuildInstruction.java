package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.Objects;

/**
 * {@code ONBUILD instruction}: BuildKit's {@code OnbuildCommand}. Like upstream, the trigger is kept as text
 * ({@code expression}: the line without {@code ONBUILD}, followed by any here-document bodies and terminators)
 * and parsed only when an image built from this one uses it; {@code trigger} is the trigger keyword as written.
 *
 * <p>Immutable and thread-safe.
 */
public record OnbuildInstruction(Origin origin, Word trigger, String expression) implements Instruction {
    public OnbuildInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(expression, "expression");
    }
}
