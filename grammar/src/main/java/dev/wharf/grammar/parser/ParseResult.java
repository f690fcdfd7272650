package dev.wharf.grammar.parser;

import dev.wharf.grammar.SourceRange;
import java.util.List;

/**
 * What the parser makes of a whole Dockerfile: its directives, its instructions in order, and its warnings.
 *
 * <p>Immutable and thread-safe. {@code range} covers the first to the last line that holds an instruction
 * (BuildKit's root node StartLine/EndLine).
 */
public record ParseResult(Directives directives, List<Node> children, List<Warning> warnings, SourceRange range) {
    public ParseResult {
        children = List.copyOf(children);
        warnings = List.copyOf(warnings);
    }
}
