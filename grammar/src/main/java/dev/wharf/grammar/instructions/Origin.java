package dev.wharf.grammar.instructions;

import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Objects;

/**
 * What every instruction keeps of its source: the keyword as written, the logical line (BuildKit's
 * {@code withNameAndCode.code}: continuations joined, trimmed), where it is, and the comment lines above it.
 *
 * <p>Immutable and thread-safe.
 */
public record Origin(Word keyword, String code, SourceRange range, List<String> comments) {
    public Origin {
        Objects.requireNonNull(keyword, "keyword");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(range, "range");
        comments = List.copyOf(comments);
    }
}
