package dev.wharf.grammar.instructions;

import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Heredoc;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds synthetic parser nodes (one line, words laid out left to right) for tests. */
final class Nodes {

    private Nodes() {
    }

    /** A word on {@code line} from {@code column} (1-based), as long as its text. */
    static Word word(String text, int line, int column) {
        return new Word(text, new SourceRange(new Position(line, column),
                new Position(line, column + Math.max(text.length(), 0))));
    }

    /** {@code KEYWORD flags… args…} on line 1. */
    static Node node(String keyword, List<String> flags, List<String> args, boolean json) {
        return node(keyword, flags, args, json, List.of(), List.of());
    }

    static Node node(String keyword, List<String> flags, List<String> args, boolean json, List<Heredoc> heredocs,
                     List<String> comments) {
        int column = 1;
        Word keywordWord = word(keyword, 1, column);
        column += keyword.length() + 1;
        List<Word> flagWords = new ArrayList<>();
        for (String flag : flags) {
            flagWords.add(word(flag, 1, column));
            column += flag.length() + 1;
        }
        List<Word> argWords = new ArrayList<>();
        for (String arg : args) {
            argWords.add(word(arg, 1, column));
            column += arg.length() + 1;
        }
        String original = keyword + " " + String.join(" ", flags) + (flags.isEmpty() ? "" : " ")
                + String.join(" ", args);
        return new Node(keyword.toLowerCase(), keywordWord, flagWords, argWords, Optional.empty(), json, heredocs,
                original, new SourceRange(new Position(1, 1), new Position(1, Math.max(column, 1))), comments);
    }

    /** A shell-form instruction without flags. */
    static Node node(String keyword, String... args) {
        return node(keyword, List.of(), List.of(args), false);
    }

    /** ONBUILD wrapping {@code child}. */
    static Node onbuild(Node child) {
        Word keywordWord = word("ONBUILD", 1, 1);
        return new Node("onbuild", keywordWord, List.of(), List.of(), Optional.of(child), false, child.heredocs(),
                "ONBUILD " + child.original(), child.range(), List.of());
    }
}
