package dev.wharf.cli;

import java.util.List;

/**
 * Lays out rows as Go's {@code text/tabwriter} does with minwidth 0, no flags and the padding given: each column but
 * the last padded to its widest cell (counted in runes, as tabwriter counts them) plus the padding, the last cell as
 * it is. buildx prints its subrequests' tables so ({@code --call=targets}, {@code --call=outline}). Stateless.
 */
final class GoTabwriter {
    private GoTabwriter() {
    }

    /** Appends {@code rows}, all of the same length, to {@code text}, one line each. */
    static void append(StringBuilder text, List<String[]> rows, int padding) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns - 1];
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
