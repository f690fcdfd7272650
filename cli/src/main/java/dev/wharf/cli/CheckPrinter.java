package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.CheckReport;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Prints the result of {@code wharf build --check} as buildx prints {@code --call=check} (commands/build.go
 * {@code printResult}, BuildKit's frontend/subrequests/lint/lint.go {@code PrintTo}): {@code Check complete, N
 * warnings have been found!}, then per finding, by line, {@code WARNING: Rule - URL}, its detail and the Dockerfile
 * lines; or {@code Check complete, no warnings found.}. An error that stopped the checks goes to the error stream
 * as {@code ERROR: message} with its lines.
 *
 * <p>Not thread-safe; one per command.
 */
final class CheckPrinter {

    private final PrintWriter out;
    private final PrintWriter err;

    CheckPrinter(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Prints {@code report}, using the Dockerfile's text for the source blocks when it is known; returns the exit
     * code: 1 when there is a finding or an error (BuildKit's {@code result.statuscode}), else 0.
     */
    int print(CheckReport report, Optional<String> dockerfile) {
        List<BuildEvent.Check> warnings = new ArrayList<>(report.warnings());
        warnings.sort(Comparator.comparingInt(BuildEvent.Check::startLine));
        if (!warnings.isEmpty()) {
            out.println("Check complete, " + (warnings.size() == 1 ? "1 warning has been found!"
                    : warnings.size() + " warnings have been found!"));
        }
        for (BuildEvent.Check w : warnings) {
            out.print("\nWARNING: " + w.rule());
            if (!w.url().isEmpty()) {
                out.print(" - " + w.url());
            }
            out.print("\n" + w.detail() + "\n");
            if (w.startLine() > 0 && dockerfile.isPresent()) {
                new SourceErrorPrinter(out).printSource(w.file(), dockerfile.get(), range(w.startLine(),
                        w.endLine()));
            }
        }
        out.flush();
        if (report.error().isPresent()) {
            if (!warnings.isEmpty()) {
                out.println();
                out.flush();
            }
            printError(report, dockerfile);
            return ExitCodes.FAILED;
        }
        if (warnings.isEmpty()) {
            out.println("Check complete, no warnings found.");
            out.flush();
            return ExitCodes.OK;
        }
        return ExitCodes.FAILED;
    }

    /**
     * Prints {@code json}, the report's {@code result.json}, as buildx prints {@code --call=check,format=json}: the
     * JSON alone on standard output, then an error that stopped the checks as in {@link #print}; returns the same
     * exit code as {@link #print}.
     */
    int printJson(CheckReport report, Optional<String> dockerfile, String json) {
        out.println(json);
        out.flush();
        if (report.error().isPresent()) {
            printError(report, dockerfile);
            return ExitCodes.FAILED;
        }
        return report.warnings().isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private void printError(CheckReport report, Optional<String> dockerfile) {
        err.println("ERROR: " + report.error().get());
        if (report.errorStartLine() > 0 && dockerfile.isPresent()) {
            new SourceErrorPrinter(err).printSource(report.file(), dockerfile.get(),
                    range(report.errorStartLine(), report.errorEndLine()));
        }
        err.flush();
    }

    private static SourceRange range(int start, int end) {
        return new SourceRange(new Position(start, 0), new Position(Math.max(start, end), 0));
    }
}
