package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Build failures printed in BuildKit's layout: output tail, source lines marked >>>, then ERROR: failed to solve. */
class BuildErrorReportTest {
    private static final String DOCKERFILE = "FROM busybox\nRUN echo hi\nRUN echo one; \\\n  exit 3\nRUN echo bye\n"
            + "CMD [\"sh\"]\n";
    private final StringWriter written = new StringWriter();

    @Test
    void failedRun_printsItsLastOutputLines_theInstructionsLines_andTheReason() {
        StepBoard board = new StepBoard(new AtomicLong()::get);
        board.onEvent(new BuildEvent.StepStarted(3, "stage-0", 3, 5, "RUN echo one; exit 3"));
        for (int i = 1; i <= 12; i++) {
            board.onEvent(new BuildEvent.StepLog(3, 1, "out " + i, Duration.ofMillis(i)));
        }
        board.onEvent(new BuildEvent.StepFailed(3, "exit code 3", Duration.ZERO));
        BuildFailedException failure = new BuildFailedException("RUN echo one; exit 3", "Dockerfile", 3, 3,
                "exit code 3", null);
        new BuildErrorReport(new PrintWriter(written)).print(failure, board.failed(), Optional.of(DOCKERFILE));
        StringBuilder expected = new StringBuilder("------\n > [stage-0 3/5] RUN echo one; exit 3:\n");
        for (int i = 3; i <= 12; i++) {
            expected.append(String.format("0.%03d out %d%n", i, i));
        }
        expected.append("""
                ------
                Dockerfile:3
                --------------------
                   2 |     RUN echo hi
                   3 | >>> RUN echo one; \\
                   4 | >>>   exit 3
                   5 |     RUN echo bye
                --------------------
                ERROR: failed to solve: exit code 3
                """);
        assertEquals(expected.toString(), written.toString());
    }

    @Test
    void syntaxError_marksItsLineWithTwoNeighboursEachSide_andACaretUnderTheColumn() {
        DockerfileException syntax = new DockerfileException("Dockerfile",
                SourceRange.at(new Position(5, 10)), "unknown flag");
        BuildFailedException failure = new BuildFailedException("RUN echo bye", "Dockerfile", 5, null,
                "unknown flag", syntax);
        new BuildErrorReport(new PrintWriter(written)).print(failure, Optional.empty(), Optional.of(DOCKERFILE));
        // BuildKit's header is "Dockerfile:5"; wharf adds the column it knows.
        assertEquals("""
                Dockerfile:5:10
                --------------------
                   3 |     RUN echo one; \\
                   4 |       exit 3
                   5 | >>> RUN echo bye
                     |              ^
                   6 |     CMD ["sh"]
                   7 |    \s
                --------------------
                ERROR: failed to solve: unknown flag
                """, written.toString());
    }

    @Test
    void anErrorAtSeveralPlaces_printsOneBlockForEach_inItsOrder() {
        // A stage cycle: BuildKit locates the error at every COPY --from of the cycle, and buildx prints the
        // lines of each, the last command first.
        String text = "FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\nCOPY --from=a /y /y\n";
        DockerfileException cycle = DockerfileException.atEach("Dockerfile",
                java.util.List.of(SourceRange.ofLines(4, 4), SourceRange.ofLines(2, 2)),
                "circular dependency detected on stage: a");
        new BuildErrorReport(new PrintWriter(written)).print(new BuildFailedException("COPY --from=a /y /y",
                "Dockerfile", 4, null, cycle.reason(), cycle), Optional.empty(), Optional.of(text));
        assertEquals("""
                Dockerfile:4
                --------------------
                   2 |     COPY --from=b /x /x
                   3 |     FROM scratch AS b
                   4 | >>> COPY --from=a /y /y
                   5 |    \s
                --------------------
                Dockerfile:2
                --------------------
                   1 |     FROM scratch AS a
                   2 | >>> COPY --from=b /x /x
                   3 |     FROM scratch AS b
                   4 |     COPY --from=a /y /y
                --------------------
                ERROR: failed to solve: circular dependency detected on stage: a
                """, written.toString());
    }

    @Test
    void firstLine_getsTwoFollowingLines_andNoReadableDockerfile_givesTheReasonAlone() {
        new SourceErrorPrinter(new PrintWriter(written, true)).printSource("Dockerfile", DOCKERFILE,
                SourceRange.ofLines(1, 1));
        assertEquals("""
                Dockerfile:1
                --------------------
                   1 | >>> FROM busybox
                   2 |     RUN echo hi
                   3 |     RUN echo one; \\
                --------------------
                """, written.toString());
        StringWriter alone = new StringWriter();
        new BuildErrorReport(new PrintWriter(alone)).print(new BuildFailedException("RUN x", "Dockerfile", 9, 1,
                "x", null), Optional.empty(), Optional.empty());
        assertEquals("ERROR: failed to solve: x\n", alone.toString());
    }
}
