package dev.wharf.cli;

import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.cli.StepBoard.StepView;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.Node;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * Prints a failed build the way BuildKit's client does: the failed step's last output lines between rules
 * ({@code  > [stage-1 2/3] RUN make:}, as {@code progressui}'s {@code printErrorLogs}), then the Dockerfile lines
 * around the failing instruction ({@link SourceErrorPrinter}), then {@code ERROR: } and the reason. No stack trace.
 *
 * <p>Not thread-safe; one per error.
 */
final class BuildErrorReport {
    private static final String RULE = "------";

    private final PrintWriter err;

    BuildErrorReport(PrintWriter err) {
        this.err = err;
    }

    /**
     * @param step       the failed step as the progress showed it, with its output tail, when it got that far
     * @param dockerfile the Dockerfile's text, when it could be read
     */
    void print(BuildFailedException failure, Optional<StepView> step, Optional<String> dockerfile) {
        printLogs(step);
        printReason(failure, dockerfile);
    }

    /**
     * The failed step's last output lines between rules: what BuildKit's progress printer shows when it closes
     * (progressui/display.go, printErrorLogs), before buildx's warning summary.
     */
    void printLogs(Optional<StepView> step) {
        printLogs(step.stream().toList());
    }

    /**
     * Each failed step's block, in the order the steps started: progressui prints one for every vertex with an
     * error when the display ends, also after a build that succeeded.
     */
    void printLogs(List<StepView> steps) {
        steps.forEach(s -> {
            err.println(RULE);
            err.println(" > " + s.name() + ":");
            s.logTail().forEach(err::println);
            err.println(RULE);
        });
        err.flush();
    }

    /**
     * The Dockerfile lines of the failure and the {@code ERROR: failed to solve: REASON} line: what buildx prints
     * last (cmd/buildx/main.go prints the error's sources, then {@code ERROR: %v} of the solve error, which the
     * client wraps as {@code failed to solve}; an error of buildx's own after the solve, a push through the docker
     * daemon, is printed as it is).
     */
    void printReason(BuildFailedException failure, Optional<String> dockerfile) {
        dockerfile.ifPresent(text -> {
            for (SourceRange range : ranges(failure, text)) {
                new SourceErrorPrinter(err).printSource(failure.file(), text, range);
            }
        });
        err.println("ERROR: " + (failure.afterSolve() ? "" : "failed to solve: ") + failure.reason());
        err.flush();
    }

    /**
     * Where the failure is: the syntax error's own ranges when the Dockerfile did not plan (several for a stage
     * cycle, one block each, as buildx prints every source of an error), else the lines of the instruction on the
     * failed line (all of them for a heredoc or continued line).
     */
    private static List<SourceRange> ranges(BuildFailedException failure, String text) {
        if (!failure.sourceShown()) {
            return List.of();
        }
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
            if (t instanceof DockerfileException syntax && !syntax.ranges().isEmpty()) {
                return syntax.ranges();
            }
        }
        return range(failure, text).map(List::of).orElse(List.of());
    }

    private static Optional<SourceRange> range(BuildFailedException failure, String text) {
        if (failure.line() <= 0) {
            return Optional.empty();
        }
        try {
            for (Node node : DockerfileParser.parse(failure.file(), text).children()) {
                if (node.startLine() == failure.line()) {
                    return Optional.of(SourceRange.ofLines(node.startLine(), node.endLine()));
                }
            }
        } catch (DockerfileException e) {
            // It parsed for the build; if it no longer does, the failed line alone still helps.
        }
        return Optional.of(SourceRange.ofLines(failure.line(), failure.line()));
    }
}
