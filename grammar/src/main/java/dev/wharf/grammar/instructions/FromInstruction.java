package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code FROM [--platform=P] image [AS name]}: starts a stage (BuildKit's {@code parseFrom}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param image      the base image or stage reference, raw
 * @param stageName  the stage name lower-cased and validated, when {@code AS name} is given
 * @param nameWord   the stage name as written, with its position
 * @param platform   the {@code --platform} value, raw
 * @param docComment the comment line above that starts with the stage name and a space, prefix removed
 */
public record FromInstruction(Origin origin, Word image, Optional<String> stageName, Optional<Word> nameWord,
                              Optional<Word> platform, String docComment) implements Instruction {
    public FromInstruction {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(stageName, "stageName");
        Objects.requireNonNull(nameWord, "nameWord");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(docComment, "docComment");
    }
}
