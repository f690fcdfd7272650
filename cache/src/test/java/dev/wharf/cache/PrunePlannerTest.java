package dev.wharf.cache;

import static dev.wharf.cache.TestSteps.layer;
import static dev.wharf.cache.TestSteps.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrunePlannerTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void anAgeBeyondTheStartOfTime_removesNothingInsteadOfOverflowing() {
        CacheRecord record = CacheRecord.create(run(0, "a").build(), TestSteps.result("a"), T);
        PruneResult result = PrunePlanner.plan(List.of(record), PruneOptions.olderThan(Duration.ofSeconds(
                Long.MAX_VALUE)), T);
        assertEquals(List.of(), result.removed());
        assertEquals(100, result.remainingBytes());
    }

    @Test
    void aLayerRepeatedInOneRecord_isCountedOnce() {
        CacheRecord record = CacheRecord.create(run(0, "a").build(),
                StepResult.of(List.of(layer("empty", 32), layer("empty", 32)), "{}"), T);
        PruneResult result = PrunePlanner.plan(List.of(record), PruneOptions.everything(), T);
        assertEquals(List.of(layer("empty", 32).descriptor()), result.unreferencedBlobs());
        assertEquals(32, result.freedBytes());
        assertEquals(0, result.remainingBytes());
    }

    @Test
    void negativeOptions_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> PruneOptions.keepStorage(-1));
        assertThrows(IllegalArgumentException.class, () -> PruneOptions.olderThan(Duration.ofSeconds(-1)));
    }
}
