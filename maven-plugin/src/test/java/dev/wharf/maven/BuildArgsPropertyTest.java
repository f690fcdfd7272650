package dev.wharf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildArgsPropertyTest {

    @Test
    void pairsAreSplitOnCommasAndTheFirstEquals() {
        assertEquals(Map.of("A", "1", "B", "x=y", "C", ""), BuildArgsProperty.parse("A=1, B=x=y,C=,"));
    }

    @Test
    void blankOrMissing_isEmpty() {
        assertTrue(BuildArgsProperty.parse(null).isEmpty());
        assertTrue(BuildArgsProperty.parse("  ").isEmpty());
    }

    @Test
    void pairWithoutValue_isRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BuildArgsProperty.parse("A=1,HOME"));
        assertTrue(e.getMessage().contains("'HOME'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BuildArgsProperty.parse("=1"));
    }
}
