package dev.wharf.context.glob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoPathsTest {

    @ParameterizedTest(name = "Clean({0}) = {1}")
    @CsvSource({
        "'', .", "abc, abc", "abc/def, abc/def", "a/b/c, a/b/c", "., .", "'..', ..", "../.., ../..",
        "../../abc, ../../abc", "/abc, /abc", "/, /", "abc/, abc", "abc/def/, abc/def", "/abc/, /abc",
        "abc//def//ghi, abc/def/ghi", "//abc, /abc", "///abc, /abc", "abc/./def, abc/def", "/./abc/def, /abc/def",
        "abc/., abc", "abc/def/ghi/../jkl, abc/def/jkl", "abc/def/../ghi/../jkl, abc/jkl", "abc/def/.., abc",
        "abc/../.., ..", "/abc/def/../../.., /", "abc/../../././../def, ../../def", "/../abc, /abc",
        "./foo, foo", "!./foo, !./foo"
    })
    void clean(String in, String out) {
        assertEquals(out, GoPaths.clean(in));
    }

    @Test
    void clean_givesWhatThePartByPartCleanGives_forEveryPathOfUpToEightCharactersOfSlashDotAndA() {
        char[] alphabet = {'/', '.', 'a'};
        int checked = 0;
        for (int length = 0; length <= 8; length++) {
            int count = (int) Math.pow(alphabet.length, length);
            for (int code = 0; code < count; code++) {
                StringBuilder path = new StringBuilder();
                for (int c = code, i = 0; i < length; i++, c /= alphabet.length) {
                    path.append(alphabet[c % alphabet.length]);
                }
                String p = path.toString();
                assertEquals(GoPaths.cleanParts(p), GoPaths.clean(p), p);
                checked++;
            }
        }
        assertEquals(9841, checked);
    }

    @ParameterizedTest(name = "Dir({0}) = {1}")
    @CsvSource({"'', .", "., .", "/., /", "/, /", "////, /", "/foo, /", "x/, x", "abc, .", "abc/def, abc",
        "a/b/.x, a/b", "a/b/c., a/b", "a/b/c.x, a/b"})
    void dir(String in, String out) {
        assertEquals(out, GoPaths.dir(in));
    }

    @Test
    void split_keepsEmptyFields() {
        assertEquals(List.of("", "a", "", ""), GoPaths.split("/a//", '/'));
        assertEquals(List.of("."), GoPaths.split(".", '/'));
    }

    @Test
    void trimSpace_usesGoWhitespaceNotJavas() {
        assertEquals("a", GoPaths.trimSpace("\u00a0\t a \u3000\u0085"));
        // U+001C is whitespace for Java's strip() but not for Go.
        assertEquals("\u001ca", GoPaths.trimSpace("\u001ca"));
    }
}
