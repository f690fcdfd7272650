package dev.wharf.context.glob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GoGlobTest {

    /** Cases in the spirit of Go's path/filepath match_test.go (Unix), written for wharf. */
    static Stream<Arguments> matches() {
        return Stream.of(
                Arguments.of("abc", "abc", true),
                Arguments.of("*", "abc", true),
                Arguments.of("*c", "abc", true),
                Arguments.of("a*", "a", true),
                Arguments.of("a*", "abc", true),
                Arguments.of("a*", "ab/c", false),
                Arguments.of("a*/b", "abc/b", true),
                Arguments.of("a*/b", "a/c/b", false),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxe/f", true),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
                Arguments.of("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
                Arguments.of("a*b?c*x", "abxbbxdbxebxczzx", true),
                Arguments.of("a*b?c*x", "abxbbxdbxebxczzy", false),
                Arguments.of("ab[c]", "abc", true),
                Arguments.of("ab[b-d]", "abc", true),
                Arguments.of("ab[e-g]", "abc", false),
                Arguments.of("ab[^c]", "abc", false),
                Arguments.of("ab[^b-d]", "abc", false),
                Arguments.of("ab[^e-g]", "abc", true),
                Arguments.of("a\\*b", "a*b", true),
                Arguments.of("a\\*b", "ab", false),
                Arguments.of("a?b", "a☺b", true),
                Arguments.of("a[^a]b", "a☺b", true),
                Arguments.of("a???b", "a☺b", false),
                Arguments.of("a[^a][^a][^a]b", "a☺b", false),
                Arguments.of("[a-ζ]*", "α", true),
                Arguments.of("*[a-ζ]", "A", false),
                Arguments.of("a?b", "a/b", false),
                Arguments.of("a*b", "a/b", false),
                Arguments.of("[\\]a]", "]", true),
                Arguments.of("[\\-]", "-", true),
                Arguments.of("[x\\-]", "x", true),
                Arguments.of("[x\\-]", "-", true),
                Arguments.of("[x\\-]", "z", false),
                Arguments.of("[\\-x]", "x", true),
                Arguments.of("[\\-x]", "a", false),
                Arguments.of("[!]a]", "!a]", true), // "!" is a class member, not a negation (only ^ negates)
                Arguments.of("*x", "xxx", true),
                Arguments.of("[z-a]", "b", false)); // an inverted range is legal and matches nothing
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource
    void matches(String pattern, String name, boolean expected) throws BadPatternException {
        assertEquals(expected, GoGlob.match(pattern, name));
    }

    @ParameterizedTest(name = "{0} is a syntax error")
    @MethodSource
    void badPatterns(String pattern, String name) {
        BadPatternException e = assertThrows(BadPatternException.class, () -> GoGlob.match(pattern, name));
        assertEquals("syntax error in pattern", e.getMessage());
    }

    static Stream<Arguments> badPatterns() {
        return Stream.of(
                Arguments.of("[", "a"),
                Arguments.of("[^", "a"),
                Arguments.of("[^bc", "a"),
                Arguments.of("a[", "a"),
                Arguments.of("a[", "ab"),
                Arguments.of("a[", "x"),
                Arguments.of("a/b[", "x"),
                Arguments.of("*x[", "a"), // checked after a mismatch (Go 1.21+)
                Arguments.of("[]a]", "]"),
                Arguments.of("[-]", "-"),
                Arguments.of("[x-]", "x"),
                Arguments.of("[-x]", "x"),
                Arguments.of("\\", "a"),
                Arguments.of("[a-b-c]", "a"),
                Arguments.of("a\\", "a"));
    }
}
