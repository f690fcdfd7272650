package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.grammar.SourceRange;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * The list of warnings docker build prints after a build's progress (buildx commands/build.go
 * {@code printWarnings}): a blank line, {@code " N warnings found (use docker --debug to expand):"} in yellow (buildx
 * colours it whatever the output is), one {@code " - RuleName: detail (line N)"} per warning and a blank line.
 * With {@code --debug} each warning is expanded as buildx expands it: its description, {@code More info: URL}, the
 * Dockerfile lines it is about and a blank line, under {@code " N warnings found:"}.
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
    static void print(PrintWriter err, List<BuildEvent.Warning> warnings) {
        print(err, warnings, false, Optional.empty());
    }

    /**
     * Prints {@code warnings} unless there are none, expanded when {@code debug}.
     *
     * @param dockerfile the Dockerfile's text, for the lines an expanded build check shows
     */
    static void print(PrintWriter err, List<BuildEvent.Warning> warnings, boolean debug, Optional<String> dockerfile) {
        if (warnings.isEmpty()) {
            return;
        }
        String count = warnings.size() == 1 ? "1 warning found" : warnings.size() + " warnings found";
        err.print("\n ");
        err.print(YELLOW + count + (debug ? "" : " (use docker --debug to expand)") + ":\n" + RESET);
        for (BuildEvent.Warning warning : warnings) {
            err.print(" - " + warning.message() + "\n");
            if (debug) {
                warning.check().ifPresent(check -> {
                    err.print(check.description() + "\n");
                    if (!check.url().isEmpty()) {
                        err.print("More info: " + check.url() + "\n");
                    }
                    if (check.startLine() > 0 && dockerfile.isPresent()) {
                        err.flush();
                        new SourceErrorPrinter(err).printSource(check.file(), dockerfile.get(),
                                SourceRange.ofLines(check.startLine(), Math.max(check.endLine(), check.startLine())));
                    }
                });
                err.print("\n");
            }
        }
        if (!debug) {
            err.print("\n");
        }
        err.flush();
    }
}
