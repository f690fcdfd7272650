package dev.wharf.grammar.instructions;

import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A build stage: a FROM and the instructions up to the next FROM (BuildKit's {@code instructions.Stage}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param index      0-based position among the stages (a stage can be referred to by it)
 * @param from       the FROM that starts the stage
 * @param commands   the instructions after the FROM, in order
 * @param range      from the FROM to the end of the last instruction of the stage
 */
public record Stage(int index, FromInstruction from, List<Instruction> commands, SourceRange range) {
    public Stage {
        if (index < 0) {
            throw new IllegalArgumentException("negative stage index " + index);
        }
        Objects.requireNonNull(from, "from");
        commands = List.copyOf(commands);
        Objects.requireNonNull(range, "range");
    }

    /** The stage name, lower-cased, when the FROM has {@code AS name}. */
    public Optional<String> name() {
        return from.stageName();
    }

    /** The base image or stage reference, raw. */
    public Word baseName() {
        return from.image();
    }

    /** The {@code --platform} of the FROM, raw. */
    public Optional<Word> platform() {
        return from.platform();
    }

    /** The comment directly above the FROM that documents the stage name ("" when none). */
    public String docComment() {
        return from.docComment();
    }
}
