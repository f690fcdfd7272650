package dev.wharf.layers.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PAX times and PaxHeaders names as Go 1.19 gives them (values printed by Go's time and path packages). */
class TarTimeAndPathsTest {
    @Test
    void paxTimesParseFormatAndRoundAsGo() {
        assertEquals(new TarTime(-2, 500_000_000), TarTime.parsePax("-1.5"), "a negative fraction counts down");
        assertEquals("-1.5", new TarTime(-2, 500_000_000).formatPax());
        assertEquals("-1.999999999", new TarTime(-2, 1).formatPax());
        assertEquals("1700000000.123456789", TarTime.parsePax("1700000000.1234567891").formatPax(), "cut at 9");
        assertEquals("1.5", TarTime.parsePax("1.50").formatPax(), "trailing zeros dropped");
        assertEquals(TarTime.ofSeconds(7), TarTime.parsePax("7"));
        assertEquals(TarTime.ofSeconds(2), new TarTime(1, 500_000_000).roundedToSecond(), "halves round up");
        assertEquals(TarTime.ofSeconds(-1), new TarTime(-2, 500_000_000).roundedToSecond());
        assertEquals(TarTime.ofSeconds(5), new TarTime(5, 100).roundedToSecond());
        assertTrue(new TarTime(10, 1).isAfter(TarTime.ofSeconds(10)), "a fraction past the epoch is after it");
        assertThrows(NumberFormatException.class, () -> TarTime.parsePax("1.x"));
    }

    @Test
    void paxHeaderNamesAreJoinedAndCleanedAsGo() {
        assertEquals("a/PaxHeaders.0/f", GoPaths.join("./a/", "PaxHeaders.0", "f"));
        assertEquals("a/b/PaxHeaders.0/f", GoPaths.join("a//b/", "PaxHeaders.0", "f"));
        assertEquals("/PaxHeaders.0/f", GoPaths.join("/", "PaxHeaders.0", "f"));
        assertEquals("PaxHeaders.0/f", GoPaths.join("", "PaxHeaders.0", "f"));
        assertEquals("../x/PaxHeaders.0/f", GoPaths.join("../x/", "PaxHeaders.0", "f"));
        assertEquals("../b/PaxHeaders.0/f", GoPaths.join("a/../../b/", "PaxHeaders.0", "f"));
        assertEquals("d/PaxHeaders.0", GoPaths.join("d/", "PaxHeaders.0", ""), "a directory's: inside it");
    }
}
