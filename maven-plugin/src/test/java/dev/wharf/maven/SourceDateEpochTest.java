package dev.wharf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SourceDateEpochTest {

    @Test
    void secondsAndIsoDateTimesAreRead() {
        assertEquals(OptionalLong.of(1700000000L), SourceDateEpoch.fromOutputTimestamp("1700000000"));
        assertEquals(OptionalLong.of(1704067200L), SourceDateEpoch.fromOutputTimestamp("2024-01-01T00:00:00Z"));
        assertEquals(OptionalLong.of(1704060000L), SourceDateEpoch.fromOutputTimestamp("2024-01-01T00:00:00+02:00"));
    }

    @Test
    void unsetOrDisabledValues_giveNothing() {
        assertEquals(OptionalLong.empty(), SourceDateEpoch.fromOutputTimestamp(null));
        assertEquals(OptionalLong.empty(), SourceDateEpoch.fromOutputTimestamp(""));
        assertEquals(OptionalLong.empty(), SourceDateEpoch.fromOutputTimestamp("0"));
    }

    @Test
    void otherText_isRejectedWithTheExpectedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SourceDateEpoch.fromOutputTimestamp("yesterday"));
        assertTrue(e.getMessage().contains("ISO-8601"), e.getMessage());
    }
}
