package dev.wharf.grammar.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The Go standard-library behaviour BuildKit's output depends on: durations, numbers, quoting, strings. */
class GoLibraryTest {

    private static String durationError(String text) {
        return assertThrows(DockerfileException.class, () -> GoDurations.parse(text)).reason();
    }

    @Test
    void durationsParseLikeGo() throws DockerfileException {
        assertEquals(Duration.ofMinutes(90), GoDurations.parse("1h30m"));
        assertEquals(Duration.ofMillis(1500), GoDurations.parse("1.5s"));
        assertEquals(Duration.ofMillis(500), GoDurations.parse(".5s"));
        assertEquals(Duration.ofSeconds(-1), GoDurations.parse("-1s"));
        assertEquals(Duration.ZERO, GoDurations.parse("0"));
        assertEquals(Duration.ZERO, GoDurations.parse("+0"));
        assertEquals(Duration.ofNanos(3_000), GoDurations.parse("1us2\u00b5s"));
        assertEquals(Duration.ofNanos(1_000), GoDurations.parse("1\u03bcs"));
        assertEquals(Duration.ofNanos(50), GoDurations.parse("50ns"));
    }

    @Test
    void durationErrorsUseGoWording() {
        assertEquals("time: invalid duration \"\"", durationError(""));
        assertEquals("time: invalid duration \"-\"", durationError("-"));
        assertEquals("time: invalid duration \".s\"", durationError(".s"));
        assertEquals("time: missing unit in duration \"1\"", durationError("1"));
        assertEquals("time: unknown unit \"x\" in duration \"1x\"", durationError("1x"));
        assertEquals("time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"", durationError("1\u00e9"));
        assertEquals("time: invalid duration \"9999999999999999999s\"", durationError("9999999999999999999s"));
        assertEquals("time: invalid duration \"abc\"", durationError("abc"));
    }

    @Test
    void int32ParsingLikeStrconv() throws DockerfileException {
        assertEquals(7, GoNumbers.parseInt32("+7"));
        assertEquals(-2147483648, GoNumbers.parseInt32("-2147483648"));
        assertEquals("strconv.ParseInt: parsing \"2147483648\": value out of range",
                assertThrows(DockerfileException.class, () -> GoNumbers.parseInt32("2147483648")).reason());
        assertEquals("strconv.ParseInt: parsing \"1_0\": invalid syntax",
                assertThrows(DockerfileException.class, () -> GoNumbers.parseInt32("1_0")).reason());
    }

    @Test
    void boolsUintsAndSizes() {
        assertEquals(Optional.of(true), GoNumbers.parseBool("T"));
        assertEquals(Optional.of(false), GoNumbers.parseBool("0"));
        assertEquals(Optional.empty(), GoNumbers.parseBool("yes"));
        assertEquals(OptionalLong.of(0755), GoNumbers.parseUint32("0755", 8));
        assertEquals(OptionalLong.empty(), GoNumbers.parseUint32("8", 8));
        assertEquals(OptionalLong.empty(), GoNumbers.parseUint32("4294967296", 10));
        assertEquals(OptionalLong.empty(), GoNumbers.parseUint32("-1", 10));
        assertEquals(OptionalLong.of(64L << 20), GoNumbers.ramInBytes("64m"));
        assertEquals(OptionalLong.of(64L << 20), GoNumbers.ramInBytes("64MiB"));
        assertEquals(OptionalLong.of(1536), GoNumbers.ramInBytes("1.5 KB"));
        assertEquals(OptionalLong.of(100), GoNumbers.ramInBytes("100b"));
        assertEquals(OptionalLong.of(100), GoNumbers.ramInBytes("100"));
        assertEquals(OptionalLong.empty(), GoNumbers.ramInBytes("10x"));
        assertEquals(OptionalLong.empty(), GoNumbers.ramInBytes("big"));
        assertEquals(OptionalLong.empty(), GoNumbers.ramInBytes("-1"));
        assertEquals(OptionalLong.empty(), GoNumbers.ramInBytes("1mb2"));
    }

    @Test
    void quotingLikeStrconvQuote() {
        assertEquals("\"a\\\"b\\\\c\"", GoQuote.quote("a\"b\\c"));
        assertEquals("\"\\t\\n\\x00\\x7f\"", GoQuote.quote("\t\n\u0000\u007f"));
        assertEquals("\"h\u00e9 'x'\"", GoQuote.quote("h\u00e9 'x'"));
        assertEquals("\"\\u00a0\\U000e0001\"", GoQuote.quote("\u00a0\uDB40\uDC01"));
    }

    @Test
    void goQuoteEscapesLikeStrconvQuote() {
        assertEquals("\"a\\\"b\\\\c\\a\\b\\f\\n\\r\\t\\v\\x01\\x7f\"", GoQuote.quote("a\"b\\c\u0007\b\f\n\r\t\u000B\u0001\u007F"));
        assertEquals("\"\\u00a0é'\\u2028\\U000e0001😀\"", GoQuote.quote("\u00A0é'\u2028\uDB40\uDC01😀"));
    }

    @Test
    void whiteSpaceIsUnicodeWhiteSpaceLikeUnicodeIsSpace() {
        for (int cp : new int[] {'\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028,
                0x2029, 0x202F, 0x205F, 0x3000}) {
            assertTrue(GoStrings.isSpace(cp), Integer.toHexString(cp));
        }
        for (int cp : new int[] {0, 'a', 0x1C, 0x180E, 0x200B, 0xFEFF}) {
            assertFalse(GoStrings.isSpace(cp), Integer.toHexString(cp));
        }
        assertEquals("a b", GoStrings.trimSpace("\u3000\t a b\u2028\n"));
        assertEquals("", GoStrings.trimSpace(" \u00a0 "));
    }

    @Test
    void caseMappingIsRuneByRune() {
        assertEquals("i\u0307", "\u0130".toLowerCase(Locale.ROOT));
        assertEquals("i", GoStrings.toLower("\u0130"));
        assertEquals("SS", "\u00df".toUpperCase(Locale.ROOT));
        assertEquals("\u00df", GoStrings.toUpper("\u00df"));
        assertTrue(GoStrings.equalFold("Stage", "sTAGE"));
        assertFalse(GoStrings.equalFold("stage", "stages"));
    }

    @Test
    void stringsSortByCodePointLikeUtf8Bytes() {
        List<String> sorted = new ArrayList<>(List.of("\uff61", "\ud83d\ude00", "b", "a"));
        sorted.sort(GoStrings.CODE_POINT_ORDER);
        assertEquals(List.of("a", "b", "\uff61", "\ud83d\ude00"), sorted);
    }

    @Test
    void listsQuoteLikePercentQAndLoneSurrogatesAsReplacementRune() {
        assertEquals("[\"a\" \"b c\"]", GoQuote.quoteList(List.of("a", "b c")));
        assertEquals("[]", GoQuote.quoteList(List.of()));
        assertEquals("\"\\ufffd\"", GoQuote.quote("\ud800"));
    }
}
