package dev.wharf.grammar.instructions;

import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;

/**
 * The operands of COPY and ADD: BuildKit's {@code SourcesAndDest}. Heredoc sources are in
 * {@code sourceContents}, all others in {@code sourcePaths}, each in written order.
 *
 * <p>Immutable and thread-safe.
 */
public record SourcesAndDest(Word dest, List<Word> sourcePaths, List<SourceContent> sourceContents) {
    public SourcesAndDest {
        Objects.requireNonNull(dest, "dest");
        sourcePaths = List.copyOf(sourcePaths);
        sourceContents = List.copyOf(sourceContents);
    }
}
