package dev.wharf.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * The list of warnings docker build prints after a build's progress (buildx commands/build.go
 * {@code printWarnings}): a blank line, {@code " N warnings found (use docker --debug to expand):"} in yellow (buildx
 * colours it whatever the output is), one {@code " - RuleName: detail (line N)"} per warning and a blank line.
 *
 * <p>Stateless and thread-safe.
 */
final class WarningSummary {

    /** aec.YellowF and aec.Reset. */
    private static final String YELLOW = "\u001b[33m";
    private static final String RESET = "\u001b[0m";

    private WarningSummary() {
    }

    /** Prints {@code warnings} (their short forms) unless there are none. */
    static void print(PrintWriter err, List<String> warnings) {
        if (warnings.isEmpty()) {
            return;
        }
        String count = warnings.size() == 1 ? "1 warning found" : warnings.size() + " warnings found";
        err.print("\n ");
        err.print(YELLOW + count + " (use docker --debug to expand):\n" + RESET);
        for (String warning : warnings) {
            err.print(" - " + warning + "\n");
        }
        err.print("\n");
        err.flush();
    }
}
