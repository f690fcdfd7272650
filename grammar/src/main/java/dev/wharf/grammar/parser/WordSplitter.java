package dev.wharf.grammar.parser;

import dev.wharf.grammar.DockerfileException;
import java.util.List;

/**
 * Splits ENV, LABEL and ARG arguments into words the way BuildKit's {@code parseWords} (line_parsers.go) does:
 * on Unicode white space outside quotes, KEEPING the quotes and escape characters in the words (they are removed
 * later, by word expansion). An escape character at the very end of the text is dropped.
 *
 * <p>Stateless and thread-safe.
 */
public final class WordSplitter {

    private WordSplitter() {
    }

    /** The words of {@code text} with escape character {@code escape} ({@code \} or {@code `}). */
    public static List<String> split(String text, char escape) {
        try {
            return new InstructionLines("Dockerfile").words(text, escape);
        } catch (DockerfileException e) {
            // the words grammar accepts every input; reaching this is a bug in the grammar
            throw new IllegalStateException("word splitting failed: " + e.getMessage(), e);
        }
    }

    /** The words of {@code text} with the default escape character {@code \}. */
    public static List<String> split(String text) {
        return split(text, Directives.DEFAULT_ESCAPE);
    }
}
