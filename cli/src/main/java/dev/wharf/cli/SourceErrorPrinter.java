package dev.wharf.cli;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints where in a Dockerfile something failed, in BuildKit's format ({@code solver/errdefs/source.go},
 * {@code Source.Print}): {@code Dockerfile:3}, a rule, the failing lines marked {@code >>>} with their neighbours
 * (two on each side of a one-line range, one of a longer range), numbered, and a closing rule. wharf adds the
 * column to the header ({@code Dockerfile:3:10}) and a caret under it when it knows one (syntax errors), which
 * BuildKit does not.
 *
 * <p>Not thread-safe; one per error.
 */
final class SourceErrorPrinter {
    private static final String RULE = "--------------------";

    private final PrintWriter err;

    SourceErrorPrinter(PrintWriter err) {
        this.err = err;
    }

    /** A syntax error: {@code FILE:LINE:COL: message}, then the source block with a caret. */
    void print(DockerfileException error, String text) {
        err.println(error.getMessage());
        for (SourceRange range : error.ranges()) {
            printSource(error.file(), text, range);
        }
        err.flush();
    }

    /**
     * The source block for {@code range} of {@code text}; nothing when the range lies outside the text.
     *
     * @param file the name shown in the block's first line
     */
    void printSource(String file, String text, SourceRange range) {
        // Split as Go's strings.Split does, so a trailing newline gives a last empty line, as in BuildKit.
        List<String> lines = List.of(text.split("\n", -1));
        int first = range.start().line();
        int last = Math.max(range.end().line(), first);
        if (first < 1 || first > lines.size()) {
            return;
        }
        last = Math.min(last, lines.size());
        int start = first;
        int end = last;
        // BuildKit's padding loop, kept as is: it widens by up to two lines a side for one line, one for more.
        int pad = start == end ? 4 : 2;
        for (int p = 0; p < pad; p++) {
            if (start > 1) {
                start--;
                p++;
            }
            if (end != lines.size()) {
                end++;
                p++;
            }
        }
        // BuildKit's header names the line; wharf adds the column when it knows one, so the block's first line is
        // the FILE:LINE:COL an editor or a terminal can jump to.
        err.println(file + ":" + first + (range.start().column() > 0 ? ":" + range.start().column() : ""));
        err.println(RULE);
        for (int i = start; i <= end; i++) {
            boolean marked = i >= first && i <= last;
            String line = lines.get(i - 1);
            err.println(String.format(" %3d | %s %s", i, marked ? ">>>" : "   ", line));
            if (marked && first == last && range.start().column() > 0) {
                err.println(String.format(" %3s | %s %s^", "", "   ", indent(line, range.start().column())));
            }
        }
        err.println(RULE);
    }

    /** Blanks up to {@code column}, keeping tabs so the caret lines up under tab-indented text. */
    private static String indent(String line, int column) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < column - 1 && i < line.length(); i++) {
            out.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        return out.toString();
    }
}
