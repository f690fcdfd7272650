package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The tty view on fixed event sequences with a hand-moved clock: frames are asserted, not timing. */
class TtyProgressTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final StringWriter written = new StringWriter();
    private final StepBoard board = new StepBoard(clock::get);

    private TtyProgress tty(int columns, int rows) {
        return TtyProgress.manual(new PrintWriter(written), board, new TerminalSize(columns, rows), false);
    }

    private void at(long millis) {
        clock.set(1_000 * MS + millis * MS);
    }

    @Test
    void liveFrame_showsHeaderRunningStepTimerAndDimmedLogTail() {
        TtyProgress tty = TtyProgress.manual(new PrintWriter(written), board, new TerminalSize(80, 24), true);
        tty.onEvent(new BuildEvent.StepStarted(1, "build", 1, 3, "FROM busybox"));
        at(10);
        tty.onEvent(new BuildEvent.StepCached(1));
        tty.onEvent(new BuildEvent.StepDone(1, Duration.ofMillis(10)));
        at(200);
        tty.onEvent(new BuildEvent.StepStarted(2, "build", 2, 3, "RUN make"));
        for (int i = 1; i <= 8; i++) {
            tty.onEvent(new BuildEvent.StepLog(2, 1, "line " + i, Duration.ofMillis(i)));
        }
        at(3400);
        tty.onEvent(new BuildEvent.StepLog(2, 1, "line 9", Duration.ofMillis(9)));
        List<String> frame = tty.lastFrame();
        assertEquals("[+] Building 3.4s (1/2)", strip(frame.get(0)));
        assertEquals(row(" => CACHED [build 1/3] FROM busybox", " 0.0s"), strip(frame.get(1)));
        assertEquals(79, strip(frame.get(1)).length(), "a line fills the width but the last column");
        assertTrue(strip(frame.get(2)).startsWith(" => [build 2/3] RUN make "), frame.get(2));
        assertTrue(strip(frame.get(2)).endsWith(" 3.2s"), frame.get(2));
        // The last six output lines, dimmed.
        assertEquals(List.of(" => => # 0.004 line 4", " => => # 0.005 line 5", " => => # 0.006 line 6",
                " => => # 0.007 line 7", " => => # 0.008 line 8", " => => # 0.009 line 9"),
                frame.subList(3, 9).stream().map(TtyProgressTest::strip).toList());
        assertTrue(frame.get(3).startsWith(TtyFrame.DIM), frame.get(3));
        assertTrue(frame.get(1).startsWith(TtyFrame.BLUE), "finished steps are blue: " + frame.get(1));
        assertEquals(9, frame.size());
    }

    @Test
    void events_withinTheInterval_doNotRedraw_andCloseDrawsTheFinalFrame() {
        TtyProgress tty = tty(80, 24);
        tty.onEvent(new BuildEvent.StepStarted(1, "stage-0", 1, 2, "FROM busybox"));
        assertEquals(1, tty.frames());
        at(50);
        tty.onEvent(new BuildEvent.StepDone(1, Duration.ofMillis(50)));
        tty.onEvent(new BuildEvent.StepStarted(2, "stage-0", 2, 2, "RUN true"));
        assertEquals(1, tty.frames(), "rate limited: no redraw within 100 ms");
        at(700);
        tty.onEvent(new BuildEvent.StepDone(2, Duration.ofMillis(650)));
        assertEquals(2, tty.frames());
        tty.close();
        tty.close();
        assertEquals(3, tty.frames(), "close draws once");
        assertEquals(List.of("[+] Building 0.7s (2/2) FINISHED",
                row(" => [stage-0 1/2] FROM busybox", " 0.1s"),
                row(" => [stage-0 2/2] RUN true", " 0.7s")), tty.lastFrame());
        // Each redraw moves up over the previous frame and clears each rewritten line.
        String out = written.toString();
        assertTrue(out.contains("\033[2A\r"), "second frame goes up over the two-line first frame");
        assertTrue(out.contains("\033[3A\r"), "final frame goes up over the three-line second frame");
        assertTrue(out.endsWith("\033[?25h"), "the cursor is shown again");
    }

    @Test
    void parallelStages_eachRunningStepHasItsLineAndItsOwnLogs() {
        TtyProgress tty = tty(80, 40);
        tty.onEvent(new BuildEvent.StepStarted(1, "a", 1, 2, "FROM busybox"));
        tty.onEvent(new BuildEvent.StepStarted(2, "b", 1, 2, "FROM busybox"));
        tty.onEvent(new BuildEvent.StepDone(1, Duration.ZERO));
        tty.onEvent(new BuildEvent.StepDone(2, Duration.ZERO));
        tty.onEvent(new BuildEvent.StepStarted(3, "a", 2, 2, "RUN build-a"));
        tty.onEvent(new BuildEvent.StepStarted(4, "b", 2, 2, "RUN build-b"));
        tty.onEvent(new BuildEvent.StepLog(4, 1, "from b", Duration.ofMillis(1)));
        tty.onEvent(new BuildEvent.StepLog(3, 2, "from a", Duration.ofMillis(2)));
        at(1000);
        tty.onEvent(new BuildEvent.StepDone(4, Duration.ofMillis(1000)));
        List<String> frame = tty.lastFrame().stream().map(TtyProgressTest::strip).toList();
        assertEquals("[+] Building 1.0s (3/4)", frame.get(0));
        int a = indexOf(frame, "[a 2/2] RUN build-a");
        int b = indexOf(frame, "[b 2/2] RUN build-b");
        assertEquals(" => => # 0.002 from a", frame.get(a + 1), "the running step shows its output");
        assertEquals(b + 1, frame.size(), "a finished step shows no output: " + frame);
        assertTrue(a < b, "steps keep the order they started in");
    }

    @Test
    void narrowTerminal_cutsEveryLine_andDropsTheTimerWhenNoRoomIsLeft() {
        TtyProgress wide = tty(30, 24);
        wide.onEvent(new BuildEvent.StepStarted(1, "stage-0", 2, 2,
                "RUN apt-get update && apt-get install -y build-essential"));
        wide.onEvent(new BuildEvent.StepLog(1, 1, "Reading package lists... Done and much more", Duration.ZERO));
        for (String line : wide.lastFrame()) {
            assertTrue(strip(line).length() <= 29, "cut to the width: " + line);
        }
        assertTrue(strip(wide.lastFrame().get(1)).endsWith(" 0.0s"), wide.lastFrame().get(1));
        String narrow = TtyFrame.withTimer(" => [stage-0 2/2] RUN make", " 0.0s", 15);
        assertEquals(" => [stage-0 2/", narrow, "no timer below 12 free columns, name cut");
    }

    @Test
    void shortTerminal_dropsFinishedStepsFromTheTop_butTheFinalFrameKeepsAll() {
        TtyProgress tty = tty(80, 6);
        for (int i = 1; i <= 6; i++) {
            tty.onEvent(new BuildEvent.StepStarted(i, "s", i, 7, "RUN step" + i));
            tty.onEvent(new BuildEvent.StepDone(i, Duration.ZERO));
        }
        at(500);
        tty.onEvent(new BuildEvent.StepStarted(7, "s", 7, 7, "RUN last"));
        List<String> live = tty.lastFrame().stream().map(TtyProgressTest::strip).toList();
        assertTrue(live.size() <= 5, "fits the screen: " + live);
        assertTrue(live.get(live.size() - 1).contains("RUN last"), live.toString());
        assertFalse(live.stream().anyMatch(l -> l.contains("RUN step1 ")), live.toString());
        at(900);
        tty.onEvent(new BuildEvent.StepDone(7, Duration.ofMillis(400)));
        tty.close();
        assertEquals(8, tty.lastFrame().size(), "the final frame shows every step");
    }

    @Test
    void failedStep_isRedWithError_andTransfersShowBytes() {
        TtyProgress tty = TtyProgress.manual(new PrintWriter(written), board, new TerminalSize(100, 24), true);
        tty.onEvent(new BuildEvent.StepStarted(1, "stage-0", 2, 3, "COPY . ."));
        tty.onEvent(new BuildEvent.Transfer(1, "compressing layer", 1_500_000, 3_000_000, false));
        at(200);
        tty.onEvent(new BuildEvent.StepDone(1, Duration.ofMillis(200)));
        List<String> frame = tty.lastFrame().stream().map(TtyProgressTest::strip).toList();
        assertTrue(frame.get(2).startsWith(" => => compressing layer 1.50MB / 3.00MB [==========>         ]"),
                frame.get(2));
        tty.onEvent(new BuildEvent.StepStarted(2, "stage-0", 3, 3, "RUN false"));
        tty.onEvent(new BuildEvent.StepFailed(2, "exit code 1", Duration.ZERO));
        tty.close();
        List<String> last = tty.lastFrame();
        assertTrue(last.get(3).startsWith(TtyFrame.RED + " => ERROR [stage-0 3/3] RUN false"), last.get(3));
        assertEquals("[+] Building 0.2s (2/2)", strip(last.get(0)), "no FINISHED after a failure");
    }

    /** A step line of an 80-column terminal: 79 columns, the timer at the right. */
    private static String row(String name, String timer) {
        return name + " ".repeat(79 - name.length() - timer.length()) + timer;
    }

    private static int indexOf(List<String> frame, String text) {
        for (int i = 0; i < frame.size(); i++) {
            if (frame.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError(text + " not in " + frame);
    }

    private static String strip(String line) {
        return line.replaceAll("\033\\[[0-9;]*m", "");
    }
}
