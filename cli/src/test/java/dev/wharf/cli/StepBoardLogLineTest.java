package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StepBoardLogLineTest {

    private static String formatted(long nanos, String line) {
        return String.format(Locale.ROOT, "%.3f %s", nanos / 1e9, line);
    }

    @Test
    void logLine_printsTheSecondsAsFormatDoesAtEveryMillisecondTie() {
        // Ties (x.xxx5) are where a rounding difference would show: every one of the first 2,000 seconds.
        for (long millis = 0; millis < 2_000_000; millis++) {
            long nanos = millis * 1_000_000 + 500_000;
            assertEquals(formatted(nanos, "x"), StepBoard.logLine(nanos, "x"), "nanos " + nanos);
        }
    }

    @Test
    void logLine_printsTheSecondsAsFormatDoesForRandomAndEdgeDurations() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000_000; i++) {
            long nanos = random.nextLong(i % 2 == 0 ? 10_000_000_000L : 1_000_000_000_000_000L);
            assertEquals(formatted(nanos, "line"), StepBoard.logLine(nanos, "line"), "nanos " + nanos);
        }
        for (long nanos : new long[] {0, 1, 499_999, 500_000, 999_499_999, 999_500_000, 1_000_000_000,
                9_999_500_000L, 59_999_999_999L, 999_999_999_999_999L, 1_000_000_000_000_000L, Long.MAX_VALUE,
                -1, -500_000, Long.MIN_VALUE}) {
            assertEquals(formatted(nanos, "édge %s"), StepBoard.logLine(nanos, "édge %s"), "nanos " + nanos);
        }
    }
}
