package dev.wharf.cli;

import dev.wharf.builder.api.BuildOutline;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints {@code wharf build --call=outline} as buildx prints BuildKit's {@code frontend.outline} subrequest in its
 * default format (frontend/subrequests/outline/outline.go PrintOutline): the target's name ({@code (default)} for
 * an unnamed one) and description when either is set, then tables of the build arguments ({@code BUILD ARG VALUE
 * DESCRIPTION}), secrets and ssh sockets ({@code SECRET}/{@code SSH REQUIRED}), each followed by an empty line and
 * left out when empty, their columns padded as Go's tabwriter pads them (the widest cell plus 1 for the target
 * block, 3 for the tables; the last cell as it is).
 *
 * <p>Stateless apart from its writer; not thread-safe.
 */
final class OutlinePrinter {
    private final PrintWriter out;

    OutlinePrinter(PrintWriter out) {
        this.out = out;
    }

    void print(BuildOutline outline) {
        StringBuilder text = new StringBuilder();
        if (!outline.name().isEmpty() || !outline.description().isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"TARGET:", outline.name().isEmpty() ? "(default)" : outline.name()});
            if (!outline.description().isEmpty()) {
                rows.add(new String[] {"DESCRIPTION:", outline.description()});
            }
            table(text, rows, 1);
        }
        if (!outline.args().isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"BUILD ARG", "VALUE", "DESCRIPTION"});
            for (BuildOutline.Arg a : outline.args()) {
                rows.add(new String[] {a.name(), a.value(), a.description()});
            }
            table(text, rows, 3);
        }
        mounts(text, "SECRET", outline.secrets());
        mounts(text, "SSH", outline.ssh());
        out.print(text);
        out.flush();
    }

    private static void mounts(StringBuilder text, String heading, List<BuildOutline.Mounted> mounts) {
        if (mounts.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {heading, "REQUIRED"});
        for (BuildOutline.Mounted m : mounts) {
            rows.add(new String[] {m.id(), m.required() ? "true" : ""});
        }
        table(text, rows, 3);
    }

    /** Go's tabwriter (minwidth 0, padding {@code padding}, no flags) over rows of equal length, then a blank line. */
    private static void table(StringBuilder text, List<String[]> rows, int padding) {
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
        text.append('\n');
    }

    /** Go's tabwriter counts runes (UTF-8 code points). */
    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}
