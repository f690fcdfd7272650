package dev.wharf.grammar.parser;

import dev.wharf.grammar.SourceRange;
import java.util.Objects;

/**
 * One argument or flag of an instruction as the parser split it, with where it was written.
 *
 * <p>Immutable and thread-safe. {@code text} is the node value BuildKit's parser produces (quotes of
 * ENV/LABEL/ARG words are still in it; expansion happens later).
 */
public record Word(String text, SourceRange range) {
    public Word {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(range, "range");
    }
}
