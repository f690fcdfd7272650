package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.layers.image.HistoryEntry;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTimesTest {
    private static final OffsetDateTime BASE = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final OffsetDateTime FIRST = BASE.plusYears(1);
    private static final OffsetDateTime SECOND = BASE.plusYears(2);
    private static final OffsetDateTime NOW = BASE.plusYears(3);

    private static HistoryEntry entry(OffsetDateTime created, String by) {
        return new HistoryEntry(created, by, null, null, created == null);
    }

    private static List<OffsetDateTime> times(List<HistoryEntry> history) {
        return history.stream().map(HistoryEntry::created).toList();
    }

    @Test
    void metadataBeforeTheFirstNewLayer_getsThatLayersTime_notTheBaseImages() {
        // BuildKit's normalizeLayersAndHistory: ENV before the first RUN is dated by the RUN, LABEL after it by it.
        List<HistoryEntry> history = List.of(entry(BASE, "base"), entry(null, "ENV A=1"), entry(FIRST, "RUN a"),
                entry(null, "LABEL l=1"), entry(SECOND, "COPY b /b"), entry(null, "CMD [\"x\"]"));
        assertEquals(List.of(BASE, FIRST, FIRST, FIRST, SECOND, SECOND), times(HistoryTimes.fill(history, NOW)));
    }

    @Test
    void metadataOnlyBuilds_getTheBaseImagesLastTime_andNothingDatedGetsTheFallback() {
        assertEquals(List.of(BASE, BASE), times(HistoryTimes.fill(List.of(entry(BASE, "base"),
                entry(null, "ENV A=1")), NOW)));
        assertEquals(List.of(NOW), times(HistoryTimes.fill(List.of(entry(null, "ENV A=1")), NOW)));
    }
}
