package dev.wharf.grammar.parser;

import dev.wharf.grammar.SourceRange;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One instruction as the parser saw it: the syntax tree level, before flags are validated or words expanded.
 * It corresponds to a child of BuildKit's root {@code parser.Node}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param keyword      the instruction keyword lower-cased ({@code run}); unknown keywords are kept, the
 *                     instruction layer rejects them
 * @param keywordWord  the keyword exactly as written, with its position
 * @param flags        the leading {@code --flag[=value]} words, quotes removed, {@code --} terminator dropped
 * @param arguments    the argument nodes (see BuildKit's per-instruction line parsers)
 * @param child        for ONBUILD, the nested instruction; empty otherwise
 * @param json         true when the arguments came from a JSON array (exec form)
 * @param heredocs     here-documents whose bodies followed the line
 * @param original     the logical line: continuations joined, as BuildKit's {@code Node.Original}
 * @param range        from the first to the last physical line of the instruction (heredoc bodies included)
 * @param comments     the comment lines directly above the instruction, {@code #} and surrounding space removed
 */
public record Node(
        String keyword,
        Word keywordWord,
        List<Word> flags,
        List<Word> arguments,
        Optional<Node> child,
        boolean json,
        List<Heredoc> heredocs,
        String original,
        SourceRange range,
        List<String> comments) {

    public Node {
        Objects.requireNonNull(keyword, "keyword");
        Objects.requireNonNull(keywordWord, "keywordWord");
        flags = List.copyOf(flags);
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(child, "child");
        heredocs = List.copyOf(heredocs);
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(range, "range");
        comments = List.copyOf(comments);
    }

    /** The argument values without positions. */
    public List<String> argumentValues() {
        return arguments.stream().map(Word::text).toList();
    }

    /** The flag words without positions. */
    public List<String> flagValues() {
        return flags.stream().map(Word::text).toList();
    }

    /** 1-based first physical line. */
    public int startLine() {
        return range.start().line();
    }

    /** 1-based last physical line. */
    public int endLine() {
        return range.end().line();
    }
}
