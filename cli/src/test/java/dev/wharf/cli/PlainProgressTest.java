package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlainProgressTest {
    @Test
    void logLines_printInBuildKitsFormat_inOrder_andCloseFlushesThem() {
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepCached(1));
        progress.onEvent(new BuildEvent.StepLog(2, 1, "hello", Duration.ofMillis(123)));
        progress.onEvent(new BuildEvent.StepLog(2, 2, "world", Duration.ofNanos(1_999_600_000L)));
        progress.close();
        assertEquals("#1 CACHED\n#2 0.123 hello\n#2 2.000 world\n", text.toString());
    }

    @Test
    void logTimes_haveThreeDecimalsBelowTenSeconds_twoBelowAHundred_thenOne_asProgressui() {
        // progressui's trace.update: prec 3 when sec < 10, 2 when sec < 100, else 1.
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepLog(2, 1, "a", Duration.ofNanos(9_999_900_000L)));
        progress.onEvent(new BuildEvent.StepLog(2, 1, "b", Duration.ofMillis(12_345)));
        progress.onEvent(new BuildEvent.StepLog(2, 1, "c", Duration.ofMillis(123_450)));
        progress.close();
        assertEquals("#2 10.000 a\n#2 12.35 b\n#2 123.5 c\n", text.toString());
    }

    @Test
    void aTransferStatus_showsItsBytesAsBuildKitsPercentTwoF() {
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(5, "internal", 0, 0, "load build context"));
        progress.onEvent(new BuildEvent.Transfer(5, "transferring context:", 40_311, 0, true));
        progress.onEvent(new BuildEvent.StepDone(5, Duration.ofMillis(40)));
        progress.onEvent(new BuildEvent.StepStarted(6, "internal", 0, 0, "load .dockerignore"));
        progress.onEvent(new BuildEvent.Transfer(6, "transferring context:", 2, 0, true));
        progress.onEvent(new BuildEvent.StepDone(6, Duration.ofMillis(4)));
        progress.close();
        assertEquals("""
                #5 [internal] load build context
                #5 transferring context: 40.31kB done
                #5 DONE 0.0s

                #6 [internal] load .dockerignore
                #6 transferring context: 2B done
                #6 DONE 0.0s
                """, text.toString());
    }

    @Test
    void aStatusThatTookOverTenMilliseconds_showsItsTime_fromItsFirstEvent_asProgressui() throws Exception {
        // textMux.printVtx: " %.1fs" of completed - started when over 0.01s, as in "transferring context:
        // 1.62kB 0.4s done"; a status that starts and ends in one event shows none.
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(5, "internal", 0, 0, "load build context"));
        progress.onEvent(new BuildEvent.Transfer(5, "transferring context:", 0, 0, false));
        Thread.sleep(120);
        progress.onEvent(new BuildEvent.Transfer(5, "transferring context:", 1_620, 0, true));
        progress.onEvent(new BuildEvent.StepDone(5, Duration.ofMillis(130)));
        progress.onEvent(new BuildEvent.StepStarted(6, "", 0, 0, "exporting to image"));
        progress.onEvent(new BuildEvent.Transfer(6, "naming to docker.io/library/app:latest", 0, 0, true));
        progress.onEvent(new BuildEvent.StepDone(6, Duration.ofMillis(1)));
        progress.close();
        assertTrue(text.toString().matches("""
                #5 \\[internal\\] load build context
                #5 transferring context: 1\\.62kB 0\\.[1-9]s done
                #5 DONE 0\\.1s

                #6 exporting to image
                #6 naming to docker.io/library/app:latest done
                #6 DONE 0\\.0s
                """), text.toString());
    }

    @Test
    void aCancelledStep_printsCanceled_asBuildKitsPrinter_andAFailedOneItsError() {
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepFailed(5, "process \"/bin/sh -c exit 1\" did not complete successfully: "
                + "exit code: 1", Duration.ofMillis(100)));
        progress.onEvent(new BuildEvent.StepFailed(4, "cancelled", Duration.ofMillis(200)));
        progress.close();
        assertEquals("#5 ERROR: process \"/bin/sh -c exit 1\" did not complete successfully: exit code: 1\n"
                + "#4 CANCELED\n", text.toString().replace("\n\n", "\n"));
    }

    @Test
    void aRunningStepLeftForAnother_saysEllipsis_asBuildKitsPrinter() {
        // progressui/printer.go: "#7 ..." when the printer turns from a vertex that has not completed.
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(3, "a", 2, 2, "RUN sleep 2; echo a"));
        progress.onEvent(new BuildEvent.StepStarted(4, "b", 1, 2, "FROM docker.io/library/busybox:latest"));
        progress.onEvent(new BuildEvent.StepCached(4));
        progress.onEvent(new BuildEvent.StepStarted(5, "b", 2, 2, "RUN exit 1"));
        progress.onEvent(new BuildEvent.StepLog(5, 2, "oops", Duration.ofMillis(100)));
        progress.onEvent(new BuildEvent.StepFailed(5, "exit code: 1", Duration.ofMillis(100)));
        progress.onEvent(new BuildEvent.StepFailed(3, "cancelled", Duration.ofMillis(900)));
        progress.close();
        assertEquals("""
                #3 [a 2/2] RUN sleep 2; echo a
                #3 ...

                #4 [b 1/2] FROM docker.io/library/busybox:latest
                #4 CACHED

                #5 [b 2/2] RUN exit 1
                #5 0.100 oops
                #5 ERROR: exit code: 1

                #3 [a 2/2] RUN sleep 2; echo a
                #3 CANCELED
                """, text.toString());
    }

    @Test
    void aLogLineOfAnotherRunningStep_leavesTheFirstWithEllipsis_andNamesItsStep() {
        // progressui/printer.go (textMux.printVtx): logs of another vertex turn the printer to it, as any of its
        // lines do: "#3 ..." then its header. They were printed under the first step's header.
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(3, "a", 2, 2, "RUN echo a"));
        progress.onEvent(new BuildEvent.StepStarted(4, "b", 2, 2, "RUN echo b"));
        progress.onEvent(new BuildEvent.StepLog(4, 1, "b1", Duration.ofMillis(100)));
        progress.onEvent(new BuildEvent.StepLog(3, 1, "a1", Duration.ofMillis(200)));
        progress.close();
        assertEquals("""
                #3 [a 2/2] RUN echo a
                #3 ...

                #4 [b 2/2] RUN echo b
                #4 0.100 b1
                #4 ...

                #3 [a 2/2] RUN echo a
                #3 0.200 a1
                """, text.toString());
    }

    @Test
    void checkWarnings_printAsWarnLinesOfTheDefinitionStep_whichIsNamedAgainAfterAnotherStepsLines() {
        // BuildKit (progressui/printer.go): "#1 WARN: ..." under the Dockerfile's vertex; a vertex whose lines
        // follow another's is named again after a blank line.
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(1, "internal", 0, 0, "load build definition from Dockerfile"));
        progress.onEvent(new BuildEvent.Transfer(1, "transferring dockerfile:", 52, 0, true));
        progress.onEvent(new BuildEvent.StepStarted(2, "internal", 0, 0, "load metadata for docker.io/library/a:1"));
        progress.onEvent(new BuildEvent.StepDone(2, Duration.ofMillis(400)));
        progress.onEvent(new BuildEvent.Warning("FromAsCasing: 'as' and 'FROM' keywords' casing do not match "
                + "(line 1)", java.util.Optional.empty(), 1));
        progress.onEvent(new BuildEvent.StepDone(1, Duration.ofMillis(10)));
        progress.onEvent(new BuildEvent.StepStarted(3, "", 1, 1, "FROM docker.io/library/a:1"));
        progress.onEvent(new BuildEvent.StepCached(3));
        progress.onEvent(new BuildEvent.StepDone(3, Duration.ZERO));
        progress.close();
        assertEquals("""
                #1 [internal] load build definition from Dockerfile
                #1 transferring dockerfile: 52B done

                #2 [internal] load metadata for docker.io/library/a:1
                #2 DONE 0.4s

                #1 [internal] load build definition from Dockerfile
                #1 WARN: FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)
                #1 DONE 0.0s

                #3 [1/1] FROM docker.io/library/a:1
                #3 CACHED
                """, text.toString());
    }

    @Test
    void aStatusOfNoBytes_printsNoSize_andAWarningOfNoStepKeepsItsOwnLine() {
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(4, "", 0, 0, "exporting to image"));
        progress.onEvent(new BuildEvent.Transfer(4, "writing image sha256:ab", 0, 0, true));
        progress.onEvent(new BuildEvent.StepDone(4, Duration.ZERO));
        progress.onEvent(new BuildEvent.Warning("cannot import the build cache"));
        progress.close();
        assertEquals("#4 exporting to image\n#4 writing image sha256:ab done\n#4 DONE 0.0s\n"
                + "WARNING: cannot import the build cache\n", text.toString());
    }

    @Test
    void aStatusWithATotal_showsCurrentAndTotal_asBuildKitsPrinter() {
        // textMux.printVtx: " %.2f / %.2f" of units.Bytes when the status has a total (the peer: "#4 sha256:...
        // 563B / 563B done"), " %.2f" of the count without one, nothing when it counted nothing.
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(5, "", 0, 0, "exporting to image"));
        progress.finished(new BuildEvent.Transfer(5, "compressing sha256:4026b6d3ce59", 3_000_000, 3_000_000, true),
                Duration.ofMillis(5));
        progress.finished(new BuildEvent.Transfer(5, "transferring context:", 2, 0, true), Duration.ofMillis(5));
        progress.finished(new BuildEvent.Transfer(5, "exporting layers", 0, 0, true), Duration.ofMillis(5));
        progress.close();
        assertEquals("""
                #5 exporting to image
                #5 compressing sha256:4026b6d3ce59 3.00MB / 3.00MB done
                #5 transferring context: 2B done
                #5 exporting layers done
                """, text.toString());
    }

    @Test
    void anExportersTimedStatus_showsItsTimeOnlyWhenOverTenMilliseconds() {
        // The peer (buildx 0.13.1) printed "#7 exporting layers 0.0s done" for one build and "#7 exporting layers
        // done" for another: BuildKit's printer shows " %.1fs" of completed - started when that is over 0.01 s.
        StringWriter text = new StringWriter();
        PlainProgress progress = new PlainProgress(new PrintWriter(text, false));
        progress.onEvent(new BuildEvent.StepStarted(9, "", 0, 0, "exporting to image"));
        progress.finished(new BuildEvent.Transfer(9, "exporting layers", 0, 0, true), Duration.ofMillis(130));
        progress.finished(new BuildEvent.Transfer(9, "writing image sha256:ab", 0, 0, true), Duration.ofMillis(10));
        progress.finished(new BuildEvent.Transfer(9, "naming to docker.io/library/x", 0, 0, true),
                Duration.ofMillis(11));
        progress.onEvent(new BuildEvent.StepDone(9, Duration.ofMillis(160)));
        progress.close();
        assertEquals("""
                #9 exporting to image
                #9 exporting layers 0.1s done
                #9 writing image sha256:ab done
                #9 naming to docker.io/library/x 0.0s done
                #9 DONE 0.2s
                """, text.toString());
    }

    @ParameterizedTest
    @CsvSource({"0,3,0.000", "123456789,3,0.123", "999500000,3,1.000", "61234000000,1,61.2", "50000000,1,0.1",
            "49999999,1,0.0"})
    void seconds_roundLikePercentF(long nanos, int decimals, String expected) {
        StringBuilder b = new StringBuilder();
        PlainProgress.appendSeconds(b, nanos, decimals);
        assertEquals(expected, b.toString());
    }
}
