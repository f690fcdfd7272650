package dev.wharf.grammar.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GoCsv} against go-csvvalue's and encoding/csv's results (taken from a Go 1.19 run of both). */
class GoCsvTest {

    @Test
    void quotedFields_keepTheirCommas_andDoubledQuotes_asCsvvalueFields() {
        assertEquals(List.of("type=oci", "dest=x.tar"), GoCsv.fields("type=oci,dest=x.tar"));
        assertEquals(List.of("type=oci", "annotation.x=a,b"), GoCsv.fields("type=oci,\"annotation.x=a,b\""));
        assertEquals(List.of("a\"b", "c"), GoCsv.fields("\"a\"\"b\",c"));
        assertEquals(List.of("a", "b"), GoCsv.fields("a,\"b\""));
        assertEquals(List.of("", "", ""), GoCsv.fields(",,"));
        assertEquals(List.of("", "x"), GoCsv.fields("\"\",x"));
        assertEquals(List.of("type=local", "dest=out"), GoCsv.fields("type=local,dest=out\n"));
        assertEquals(List.of(""), GoCsv.fields(""));
    }

    @Test
    void strayQuotes_failWithGosParseErrors_countingColumnsInBytes() {
        assertEquals("parse error on line 1, column 2: extraneous or missing \" in quoted-field",
                assertThrows(IllegalArgumentException.class, () -> GoCsv.fields("\"abc")).getMessage());
        assertEquals("parse error on line 1, column 3: extraneous or missing \" in quoted-field",
                assertThrows(IllegalArgumentException.class, () -> GoCsv.fields("\"a\"b,c")).getMessage());
        assertEquals("parse error on line 1, column 2: bare \" in non-quoted-field",
                assertThrows(IllegalArgumentException.class, () -> GoCsv.fields("a\"b,c")).getMessage());
        assertEquals("parse error on line 1, column 5: bare \" in non-quoted-field",
                assertThrows(IllegalArgumentException.class, () -> GoCsv.fields("x,\u00e9\"")).getMessage());
        assertEquals("parse error on line 1, column 5: extraneous or missing \" in quoted-field",
                assertThrows(IllegalArgumentException.class, () -> GoCsv.fields("\"a,b\"c")).getMessage());
        assertEquals("parse error on line 1, column 5: extraneous or missing \" in quoted-field",
                assertThrows(IllegalArgumentException.class, () -> GoCsv.fields("\u00e9,\"a")).getMessage());
    }

    @Test
    void join_quotesAsGosCsvWriter_andReadsBack() {
        List<String> fields = List.of("type=oci", "annotation.x=a,b", "q\"q", " lead", "", "\\.", "plain");
        String line = GoCsv.join(fields);
        assertEquals("type=oci,\"annotation.x=a,b\",\"q\"\"q\",\" lead\",,\"\\.\",plain", line);
        assertEquals(fields, GoCsv.fields(line));
    }

    @Test
    void join_quotesALeadingSpaceByGosUnicodeIsSpace_notJavasIsWhitespace() {
        // Go 1.19's csv.Writer: U+001C..U+001F are no spaces to unicode.IsSpace (Java's isWhitespace says they are);
        // U+00A0 and U+2028 are.
        assertEquals("\u001cx,\"\u00a0y\",\"\u2028z\"", GoCsv.join(List.of("\u001cx", "\u00a0y", "\u2028z")));
    }
}
