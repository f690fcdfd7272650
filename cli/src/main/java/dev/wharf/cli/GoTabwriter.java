package dev.wharf.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/**
 * Lays out rows as Go's {@code text/tabwriter} does with no flags and the minwidth and padding given: each column but
 * the last padded to its widest cell (counted in runes, as tabwriter counts them) plus the padding, at least the
 * minwidth, the last cell as it is. buildx prints its subrequests' tables so ({@code --call=targets},
 * {@code --call=outline}, minwidth 0), and docker's CLI its {@code images}, {@code history} and {@code --format table}
 * output ({@link #printDockerTable}). Stateless.
 */
final class GoTabwriter {
    private GoTabwriter() {
    }

    /** Appends {@code rows}, all of the same length, to {@code text}, one line each, with minwidth 0. */
    static void append(StringBuilder text, List<String[]> rows, int padding) {
        append(text, rows, 0, padding);
    }

    /**
     * Prints {@code rows}, all of the same length, as docker's CLI prints its tables: minwidth 10, padding 3
     * (docker/cli {@code cli/command/formatter/formatter.go}: {@code tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)}).
     */
    static void printDockerTable(PrintWriter out, List<List<String>> rows) {
        StringBuilder text = new StringBuilder();
        append(text, rows.stream().map(row -> row.toArray(String[]::new)).toList(), 10, 3);
        out.print(text);
        out.flush(); // print does not flush an autoflush writer as println did
    }

    private static void append(StringBuilder text, List<String[]> rows, int minWidth, int padding) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns - 1];
        Arrays.fill(widths, minWidth);
        for (String[] row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                widths[c] = Math.max(widths[c], width(row[c]) + padding);
            }
        }
        for (String[] row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                text.append(row[c]).append(" ".repeat(widths[c] - width(row[c])));
            }
            text.append(row[columns - 1]).append('\n');
        }
    }

    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}
