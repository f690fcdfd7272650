package dev.wharf.context.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.context.ContextException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IgnoreFileTest {

    private static List<String> parse(String text) throws ContextException {
        return IgnoreFile.parse(".dockerignore", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void commentsAndBlankLinesAreSkipped_patternsTrimmedAndCleaned() throws Exception {
        String text = "# comment\n\n  \n test1 \n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! \n";
        assertEquals(List.of("test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"),
                parse(text));
    }

    @Test
    void hashAfterLeadingSpace_isAPattern() throws Exception {
        assertEquals(List.of("# not a comment"), parse("  # not a comment"));
    }

    @Test
    void byteOrderMark_isStrippedFromTheFirstLineOnly() throws Exception {
        assertEquals(List.of("a", "\uFEFFb"), parse("\uFEFFa\n\uFEFFb"));
        assertEquals(List.of(), parse("\uFEFF# comment"));
    }

    @Test
    void crlfLineEndings_andDotSlash() throws Exception {
        assertEquals(List.of("foo", "bar", "!baz", "/"), parse("./foo\r\nbar/\r\n!./baz/\r\n/\r\n"));
    }

    @Test
    void slashOnly_staysAsRoot() throws Exception {
        assertEquals(List.of("/", "!/"), parse("//\n!/"));
    }

    @Test
    void overlongLine_failsLikeBufioScanner() {
        byte[] big = new byte[70_000];
        java.util.Arrays.fill(big, (byte) 'a');
        ContextException e = assertThrows(ContextException.class, () -> IgnoreFile.parse(".dockerignore", big));
        assertEquals("failed parsing .dockerignore: bufio.Scanner: token too long", e.getMessage());
    }
}
