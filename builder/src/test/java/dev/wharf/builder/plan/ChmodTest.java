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
        "+t|777|true|1777",
        "u=rw,go=r|4755|false|644",
        // Results of BuildKit's vendored tonistiigi/dchapes-mode (ParseWithUmask(s, 0) then Apply), run as an oracle:
        // t counts only for u, g, a or no who, and then narrows the clause to the sticky bit; a class copy with =
        // keeps the set-id bits; X is Linux's (moby/buildkit#5850): with = too, and plain x with -.
        "o+t|644|false|644",
        "u+t|644|false|1644",
        "+rwxst|644|false|1644",
        "-st|4755|false|4755",
        "o+rwt|644|false|646",
        "g=u-w|2755|false|2755",
        "u=g|4755|false|4555",
        "u=rX,g=u,o=|2755|false|2550",
        "=X|644|true|111",
        "-X|755|false|644",
        "ug=rwX|644|true|774",
        "u+r-w=x|644|false|144",
        // X before a class copy under = (dchapes-mode flushes X, then copies; the copy's clear wipes the X bit).
        "u=Xg|755|false|555",
        "u=Xg|644|false|444",
        "u=gX|600|true|100",
        "u=Xg,o=X|644|true|441",
        "u=Xtg|755|false|1555",
        "u-Xg|644|false|244",
        "=Xg|2750|false|2555",
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

    @Test
    void createdDirectories_dropTheSetIdAndStickyBitsOfAnOctalMode() {
        // fsutil's MkdirAll(path, os.FileMode(04755)): Go's FileMode keeps only the 0777 bits of a raw octal.
        assertEquals(0755, Chmod.parse("4755").createdDirectoryMode());
        assertEquals(0770, Chmod.parse("2770").createdDirectoryMode());
        assertEquals(0777, Chmod.parse("1777").createdDirectoryMode());
        assertEquals(04755, Chmod.parse("4755").apply(0644, false));
    }
}
