package dev.wharf.context.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.context.glob.BadPatternException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class GoRegexpTest {

    static Stream<Arguments> matchesLikeGo() {
        return Stream.of(
                Arguments.of("^a.c$", "abc", true),
                Arguments.of("^a.c$", "a\nc", false), // . does not match a newline without (?s)
                Arguments.of("^a[^/]c$", "a\nc", true), // negated classes do (ClassNL)
                Arguments.of("^(.*/)?x$", "a/b/x", true),
                Arguments.of("^(.*/)?x$", "a\n/x", false),
                Arguments.of("^[[:alpha:]]+$", "abZ", true),
                Arguments.of("^[[:^alpha:]]$", "1", true),
                Arguments.of("^\\d\\w\\s$", "1_ ", true),
                Arguments.of("^[\\d-z]$", "-", true),
                Arguments.of("^\\Qa.b$", "a.b$", true),
                Arguments.of("^\\Qa.b\\E.$", "a.bx", true),
                Arguments.of("^a{2,3}$", "aaaa", false),
                Arguments.of("^a{2,3}$", "aaa", true),
                Arguments.of("^a{2,}$", "aaaaaa", true),
                Arguments.of("^a{,2}$", "a{,2}", true), // not a repeat: the brace is literal
                Arguments.of("^a|b$", "xxb", true),
                Arguments.of("^\\pL$", "\u00e9", true),
                Arguments.of("^\\PL$", "1", true),
                Arguments.of("^\\x41\\101$", "AA", true),
                Arguments.of("\\bx\\b", "a x b", true),
                Arguments.of("\\Bx", "ax", true),
                Arguments.of("^\\A\\z$", "", true),
                Arguments.of("^[]a]$", "]", true)); // Go: the first ']' in a class is a member
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource
    void matchesLikeGo(String regex, String text, boolean expected) throws BadPatternException {
        assertEquals(expected, GoRegexp.compile(regex).matches(text));
    }

    @ParameterizedTest(name = "{0} does not compile")
    @CsvSource(delimiter = '|', value = {"[z-a]", "a**", "\\y", "\\1", "[[:foo:]]", "a{1001}", "a{3,2}", "\\C",
        "(a", "\\pX", "[a", "\\"})
    void rejectsWhatGoRejects(String regex) {
        assertThrows(BadPatternException.class, () -> GoRegexp.compile(regex));
    }

    @Test
    void longInput_isLinearNotExponential() throws BadPatternException {
        GoRegexp re = GoRegexp.compile("^([^/]*[^/]*)*[^/]*x$");
        assertEquals(false, re.matches("a".repeat(50_000)));
    }
}
