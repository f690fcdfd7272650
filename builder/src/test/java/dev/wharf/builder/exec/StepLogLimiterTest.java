package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.sandbox.StdStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StepLogLimiterTest {
    private static final String LINE = "x".repeat(1023); // 1 KiB with its newline

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> shown = new ArrayList<>();

    private StepLogLimiter limiter(long maxSize, long maxSpeed) {
        return new StepLogLimiter((stream, line) -> shown.add(stream.fd() + ":" + line), maxSize, maxSpeed,
                now::get);
    }

    @Test
    void outputWithinTheLimits_isShownWhole() {
        StepLogLimiter logs = limiter(StepLogLimiter.DEFAULT_MAX_SIZE, StepLogLimiter.DEFAULT_MAX_SPEED);
        for (int i = 0; i < 200; i++) {
            logs.onLine(StdStream.STDOUT, LINE);
        }
        assertEquals(200, shown.size());
        assertTrue(shown.stream().allMatch(l -> l.equals("1:" + LINE)));
    }

    @Test
    void moreThan200KiBInTheFirstSecond_isClippedOnce_andShownAgainInTheNextSecond() {
        StepLogLimiter logs = limiter(StepLogLimiter.DEFAULT_MAX_SIZE, StepLogLimiter.DEFAULT_MAX_SPEED);
        for (int i = 0; i < 300; i++) {
            logs.onLine(StdStream.STDOUT, LINE);
        }
        assertEquals(201, shown.size(), "200 lines of 1 KiB, then the notice");
        assertEquals("1:[output clipped, log limit 200KiB/s reached]", shown.get(200));
        now.addAndGet(1_500_000_000L);
        shown.clear();
        logs.onLine(StdStream.STDOUT, "again");
        assertEquals(List.of("1:again"), shown, "in the second second, the budget (400 KiB) is above the 300 KiB"
                + " counted, dropped bytes included, as BuildKit counts them");
    }

    @Test
    void aLineThatPartlyFits_isCutAtTheLimit() {
        StepLogLimiter logs = limiter(10, -1);
        logs.onLine(StdStream.STDERR, "abcdef");
        logs.onLine(StdStream.STDERR, "ghijkl");
        logs.onLine(StdStream.STDERR, "mnop");
        assertEquals(List.of("2:abcdef", "2:ghi", "2:[output clipped, log limit 10B reached]"), shown);
    }

    @Test
    void theSizeLimit_holdsWhateverTheTime_andNamesItself() {
        StepLogLimiter logs = limiter(StepLogLimiter.DEFAULT_MAX_SIZE, -1);
        for (int i = 0; i < 3000; i++) {
            logs.onLine(StdStream.STDOUT, LINE);
        }
        assertEquals(2049, shown.size());
        assertEquals("1:[output clipped, log limit 2MiB reached]", shown.get(2048));
    }

    @Test
    void streamsHaveBudgetsOfTheirOwn() {
        StepLogLimiter logs = limiter(2048, -1);
        logs.onLine(StdStream.STDOUT, LINE);
        logs.onLine(StdStream.STDOUT, LINE);
        logs.onLine(StdStream.STDERR, LINE);
        logs.onLine(StdStream.STDERR, LINE);
        assertEquals(4, shown.size());
    }

    @Test
    void afterAFailure_theTailOfAClippedStreamIsShownAgain_andNothingOfAnUnclippedOne() {
        StepLogLimiter logs = limiter(StepLogLimiter.DEFAULT_MAX_SIZE, StepLogLimiter.DEFAULT_MAX_SPEED);
        logs.onLine(StdStream.STDERR, "warning on stderr");
        for (int i = 0; i < 600; i++) {
            logs.onLine(StdStream.STDOUT, LINE);
        }
        logs.onLine(StdStream.STDOUT, "error: the last line");
        shown.clear();
        logs.flushAfterFailure();
        assertEquals(256, shown.size(), "the last 256 KiB: 255 lines of 1 KiB and the last line");
        assertEquals("1:error: the last line", shown.get(shown.size() - 1));
        assertTrue(shown.stream().noneMatch(l -> l.startsWith("2:")));
    }

    @Test
    void limitsComeFromBuildKitsEnvironmentVariables_minusOneTurningThemOff() {
        StepLogLimiter logs = StepLogLimiter.fromEnvironment((stream, line) -> shown.add(line),
                Map.of("BUILDKIT_STEP_LOG_MAX_SIZE", "-1", "BUILDKIT_STEP_LOG_MAX_SPEED", "-1"));
        for (int i = 0; i < 3000; i++) {
            logs.onLine(StdStream.STDOUT, LINE);
        }
        assertEquals(3000, shown.size());
    }

    @Test
    void byteCounts_areFormattedAsGoUnitsDoes() {
        assertEquals("200KiB", StepLogLimiter.formatBytes(200 * 1024));
        assertEquals("2MiB", StepLogLimiter.formatBytes(2 * 1024 * 1024));
        assertEquals("1.5KiB", StepLogLimiter.formatBytes(1536));
        assertEquals("10B", StepLogLimiter.formatBytes(10));
    }

    @Test
    void aLastLineWithoutNewline_countsNoNewline_andStaysUnterminated() {
        List<String> raw = new ArrayList<>();
        StepLogLimiter logs = new StepLogLimiter(new dev.wharf.builder.sandbox.OutputListener() {
            @Override
            public void onLine(StdStream stream, String line) {
                raw.add(line + "\n");
            }

            @Override
            public void onLine(StdStream stream, String line, long startNanos, boolean terminated) {
                raw.add(terminated ? line + "\n" : line);
            }
        }, 10, -1, now::get);
        logs.onLine(StdStream.STDOUT, "abcdef", 0, true);
        logs.onLine(StdStream.STDOUT, "ghi", 0, false);
        assertEquals(List.of("abcdef\n", "ghi"), raw, "7 + 3 bytes fit the 10 exactly");
        logs.onLine(StdStream.STDERR, "abcdefghijkl", 0, false);
        assertEquals(List.of("abcdef\n", "ghi", "abcdefghij\n", "[output clipped, log limit 10B reached]\n"), raw,
                "a cut line is ended by the notice, as BuildKit's notice begins with a newline");
    }
}
