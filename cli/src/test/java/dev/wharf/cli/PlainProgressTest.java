package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @ParameterizedTest
    @CsvSource({"0,3,0.000", "123456789,3,0.123", "999500000,3,1.000", "61234000000,1,61.2", "50000000,1,0.1",
            "49999999,1,0.0"})
    void seconds_roundLikePercentF(long nanos, int decimals, String expected) {
        StringBuilder b = new StringBuilder();
        PlainProgress.appendSeconds(b, nanos, decimals);
        assertEquals(expected, b.toString());
    }
}
