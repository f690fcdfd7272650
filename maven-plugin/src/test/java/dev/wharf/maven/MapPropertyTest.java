package dev.wharf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MapPropertyTest {

    @Test
    void pairsAreSplitOnCommasAndTheFirstEquals() {
        assertEquals(Map.of("A", "1", "B", "x=y", "C", ""),
                MapProperty.parse(MapProperty.BUILD_ARGS, "A=1, B=x=y,C=,"));
    }

    @Test
    void blankOrMissing_isEmpty() {
        assertTrue(MapProperty.parse(MapProperty.LABELS, null).isEmpty());
        assertTrue(MapProperty.parse(MapProperty.LABELS, "  ").isEmpty());
    }

    @Test
    void pairWithoutValue_isRejectedNamingThePropertyAndPair() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MapProperty.parse(MapProperty.BUILD_ARGS, "A=1,HOME"));
        assertTrue(e.getMessage().startsWith("wharf.buildArgs needs"), e.getMessage());
        assertTrue(e.getMessage().contains("'HOME'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MapProperty.parse(MapProperty.LABELS, "=1"));
    }
}
