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

    /** A table as Go's tabwriter lays it out ({@link GoTabwriter}), then a blank line. */
    private static void table(StringBuilder text, List<String[]> rows, int padding) {
        GoTabwriter.append(text, rows, padding);
        text.append('\n');
    }
}
