package dev.wharf.grammar.instructions;

import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.go.GoStrings;
import dev.wharf.grammar.parser.Heredoc;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * What the per-instruction parsers read from a node: BuildKit's {@code parseRequest}. For ONBUILD the nested
 * instruction is flattened into the arguments (its keyword first), as upstream's {@code nodeArgs} does.
 *
 * <p>Immutable and thread-safe.
 */
record Request(Word keyword, List<Word> args, List<Word> flags, List<Heredoc> heredocs, boolean json,
               String original, SourceRange range, List<String> comments) {

    Request {
        args = List.copyOf(args);
        flags = List.copyOf(flags);
        heredocs = List.copyOf(heredocs);
        comments = List.copyOf(comments);
    }

    static Request of(Node node) {
        return new Request(node.keywordWord(), nodeArgs(node), node.flags(), node.heredocs(), node.json(),
                node.original(), node.range(), node.comments());
    }

    private static List<Word> nodeArgs(Node node) {
        List<Word> args = new ArrayList<>(node.arguments());
        node.child().ifPresent(child -> {
            args.add(child.keywordWord());
            args.addAll(nodeArgs(child));
        });
        return args;
    }

    Origin origin() {
        return new Origin(keyword, GoStrings.trimSpace(original), range, comments);
    }

    List<String> argValues() {
        return args.stream().map(Word::text).toList();
    }

    /** The range of the argument words, or of the whole instruction when there are none. */
    SourceRange argsRange() {
        return span(args, range);
    }

    /** The smallest range covering {@code words}; {@code fallback} when there are none. */
    static SourceRange span(List<Word> words, SourceRange fallback) {
        if (words.isEmpty()) {
            return fallback;
        }
        Position start = words.get(0).range().start();
        Position end = words.get(0).range().end();
        for (Word word : words) {
            start = word.range().start().compareTo(start) < 0 ? word.range().start() : start;
            end = word.range().end().compareTo(end) > 0 ? word.range().end() : end;
        }
        return new SourceRange(start, end);
    }
}
