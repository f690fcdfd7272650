package dev.wharf.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Pattern conversion and matching; cases from BuildKit's lex_test.go and Go regexp semantics. */
class GlobPatternTest {

    private static int[] cps(String s) {
        return s.codePoints().toArray();
    }

    private static int prefix(String pattern, String value, boolean greedy) throws ExpansionFailure {
        return GlobPattern.compile(cps(pattern), greedy).matchPrefix(cps(value));
    }

    @Test
    void invalidEscapesAreRejectedWithGosMessage() {
        // TestConvertShellPatternToRegex's invalid list.
        for (String bad : new String[] {"\\", "\\x", "\\\\\\"}) {
            assertThrows(ExpansionFailure.class, () -> GlobPattern.compile(cps(bad), true), bad);
        }
        ExpansionFailure e = assertThrows(ExpansionFailure.class, () -> GlobPattern.compile(cps("a\\x"), true));
        assertEquals("invalid escape '\\x'", e.reason());
        e = assertThrows(ExpansionFailure.class, () -> GlobPattern.compile(cps("a\\"), true));
        assertEquals("invalid escape '\\\uFFFD'", e.reason());
    }

    @Test
    void regexMetacharactersAreLiteral() throws Exception {
        // TestConvertShellPatternToRegex: "(()[]{\}^$.\*\?|\\" matches itself.
        assertEquals(14, prefix("(()[]{\\}^$.\\*\\?|\\\\", "(()[]{}^$.*?|\\x", true));
        assertEquals(-1, prefix(".", "a", true));
    }

    @Test
    void reverseKeepsEscapesInFront() {
        // TestReversePattern.
        assertArrayEquals(cps("c\\*a"), GlobPattern.reverse(cps("a\\*c")));
        assertArrayEquals(cps("b\\a\\\\"), GlobPattern.reverse(cps("\\\\\\ab")));
        assertArrayEquals(cps("\\ba"), GlobPattern.reverse(cps("ab\\")));
        assertArrayEquals(cps("🖖\\🚀👽"), GlobPattern.reverse(cps("👽\\🚀🖖")));
        assertArrayEquals(cps("b\\\\"), GlobPattern.reverse(cps("\\\\b")));
    }

    @Test
    void greedyAndLazyStarsPickLongestAndShortest() throws Exception {
        assertEquals(3, prefix("*y", "xxyy", false));
        assertEquals(4, prefix("*y", "xxyy", true));
        assertEquals(0, prefix("*", "xxyy", false));
        assertEquals(4, prefix("*", "xxyy", true));
        assertEquals(-1, prefix("y", "xxyy", true));
        assertEquals(3, prefix("*x*y", "xxyy", false));
        assertEquals(2, prefix("?\\?", "???y", false));
    }

    @Test
    void replaceAllHandlesEmptyMatchesLikeGo() throws Exception {
        assertEquals("-x-y-", GlobPattern.compile(cps(""), true).replaceAll(cps("xy"), "-"));
        assertEquals("-", GlobPattern.compile(cps("*"), true).replaceAll(cps("xy"), "-"));
        assertEquals("-\n-", GlobPattern.compile(cps("*"), true).replaceAll(cps("ab\ncd"), "-"));
        assertEquals("a.b", GlobPattern.compile(cps("/"), true).replaceFirst("a/b", cps("a/b"), "."));
    }

    @Test
    void longInputsStayPolynomial() throws Exception {
        // A pattern that makes a backtracking matcher explode.
        String value = "a".repeat(3000);
        String pattern = "*a".repeat(200) + "b";
        assertEquals(-1, prefix(pattern, value, true));
        assertEquals(value, GlobPattern.compile(cps(pattern), false).replaceAll(cps(value), "x"));
    }
}
