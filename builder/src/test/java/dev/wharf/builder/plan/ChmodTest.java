package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChmodTest {

    @ParameterizedTest(name = "{0} on {1} (dir={2}) is {3}")
    @CsvSource(delimiter = '|', value = {
        "0755|644|false|755",
        "600|777|true|600",
        "u+x|644|false|744",
        "go-w|666|false|644",
        "a=rX|644|false|444",
        "a=rX|700|true|555",
        "a=rX|744|false|555",
        "u=rwx,g=rx,o=|777|false|750",
        "+x|644|false|755",
        "g=u|640|false|660",
        "u+s|755|false|4755",
        "o+t|777|true|1777",
        "u=rw,go=r|4755|false|644",
    })
    void symbolicAndOctalModes_changeBitsLikeChmod(String spec, String before, boolean dir, String after) {
        assertEquals(Integer.parseInt(after, 8), Chmod.parse(spec).apply(
                Integer.parseInt(before, 8), dir), spec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"z+x", "u", "u+q", "", "8755", "u+x,"})
    void malformedModes_areRejected(String spec) {
        assertThrows(IllegalArgumentException.class, () -> Chmod.parse(spec));
    }

    @Test
    void octalModes_takeAnyNumberOfDigits_asStrconvParseUintDoes() {
        assertEquals(0644, Chmod.parse("00644").apply(0777, false));
        assertEquals(04755, Chmod.parse("0004755").apply(0644, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"999", "10000", "64a", "0x755", "77777", "8755", "0o755", "7x"})
    void numericButNotAnOctalModeUpTo07777_failsWithBuildKitsMessage(String spec) {
        // convert_copy.go's nonOctalErr, checked by BuildKit's testAddInvalidChmod.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chmod.parse(spec));
        assertEquals("invalid chmod parameter: '" + spec + "'. it should be octal string and between 0 and 07777",
                e.getMessage());
    }

    @Test
    void toString_isTheSpec() {
        assertEquals("a+X", Chmod.parse("a+X").toString());
    }

    @Test
    void createdDirectories_takeAnOctalModeButNotASymbolicOne() {
        // BuildKit's testCopyChmod: COPY --chmod=777 foo /parent/foo makes /parent 0777.
        assertEquals(0777, Chmod.parse("777").createdDirectoryMode());
        assertEquals(0600, Chmod.parse("0600").createdDirectoryMode());
        assertEquals(0755, Chmod.parse("u+x").createdDirectoryMode());
    }
}
