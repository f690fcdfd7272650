package dev.wharf.cli;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints a {@link DockerfileException} the way a user wants to see it: {@code FILE:LINE:COL: message}, then the
 * offending line with a caret under the column.
 */
final class SourceErrorPrinter {

    private final PrintWriter err;

    SourceErrorPrinter(PrintWriter err) {
        this.err = err;
    }

    void print(DockerfileException error, String text) {
        err.println(error.getMessage());
        error.range().ifPresent(range -> printLine(range.start(), text));
        err.flush();
    }

    private void printLine(Position start, String text) {
        List<String> lines = text.lines().toList();
        int index = start.line() - 1;
        if (index < 0 || index >= lines.size()) {
            return;
        }
        String line = lines.get(index);
        String gutter = String.format(" %4d | ", start.line());
        err.println(gutter + line);
        int column = Math.max(start.column(), 1);
        StringBuilder caret = new StringBuilder(" ".repeat(gutter.length() - 2)).append("| ");
        // Keep tabs so the caret lines up under tab-indented text.
        for (int i = 0; i < column - 1 && i < line.length(); i++) {
            caret.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        err.println(caret.append('^'));
    }
}
