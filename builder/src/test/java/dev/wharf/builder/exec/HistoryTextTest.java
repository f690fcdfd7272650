package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTextTest {

    @Test
    void goDuration_matchesGosDurationString() {
        assertEquals("0s", HistoryText.goDuration(Duration.ZERO));
        assertEquals("30s", HistoryText.goDuration(Duration.ofSeconds(30)));
        assertEquals("1.5s", HistoryText.goDuration(Duration.ofMillis(1500)));
        assertEquals("1m30s", HistoryText.goDuration(Duration.ofSeconds(90)));
        assertEquals("2h0m0s", HistoryText.goDuration(Duration.ofHours(2)));
        assertEquals("10ms", HistoryText.goDuration(Duration.ofMillis(10)));
        assertEquals("1.5µs", HistoryText.goDuration(Duration.ofNanos(1500)));
        assertEquals("7ns", HistoryText.goDuration(Duration.ofNanos(7)));
    }

    @Test
    void goLists_printLikeFmtVerbs() {
        assertEquals("[/a /b]", HistoryText.goList(List.of("/a", "/b")));
        assertEquals("[\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\"]",
                HistoryText.goQuotedList(List.of("/bin/sh", "-c", "echo \"hi\"")));
        assertEquals("[]", HistoryText.goQuotedList(List.of()));
    }
}
