package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.Heredoc;
import dev.wharf.grammar.parser.Heredocs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Go library behaviour the instruction layer reproduces on its own: HEALTHCHECK durations, CSV, hints. */
class GoCompatibilityTest {

    @Test
    void healthcheckDurationRule() throws DockerfileException {
        assertEquals(Duration.ZERO, InstructionReader.healthcheckDuration("timeout", ""));
        assertEquals(Duration.ZERO, InstructionReader.healthcheckDuration("timeout", "0s"));
        assertEquals(Duration.ofMillis(1), InstructionReader.healthcheckDuration("timeout", "1ms"));
        assertEquals("Interval \"start-period\" cannot be less than 1ms", assertThrows(DockerfileException.class,
                () -> InstructionReader.healthcheckDuration("start-period", "999us")).reason());
        assertEquals("Interval \"timeout\" cannot be less than 1ms", assertThrows(DockerfileException.class,
                () -> InstructionReader.healthcheckDuration("timeout", "-5s")).reason());
    }

    @Test
    void csvRecords() throws DockerfileException {
        assertEquals(List.of("a", "b=c", ""), Csv.fields("a,b=c,"));
        assertEquals(List.of("x,y", "q\"z"), Csv.fields("\"x,y\",\"q\"\"z\""));
        assertEquals(List.of("a"), Csv.fields("a\n"));
        assertEquals("EOF", assertThrows(DockerfileException.class, () -> Csv.fields("")).reason());
        assertEquals("parse error on line 1, column 3: extraneous or missing \" in quoted-field",
                assertThrows(DockerfileException.class, () -> Csv.fields("\"a\"b")).reason());
        assertEquals("parse error on line 1, column 2: extraneous or missing \" in quoted-field",
                assertThrows(DockerfileException.class, () -> Csv.fields("\"abc")).reason());
        assertEquals("parse error on line 1, column 4: bare \" in non-quoted-field",
                assertThrows(DockerfileException.class, () -> Csv.fields("\u00e9a\"")).reason());
    }

    @Test
    void hintsFollowSuggestSearch() {
        List<String> names = List.of("ADD", "COPY", "FROM", "RUN");
        assertEquals("FROM", Suggest.search("FORM", names, false));
        assertEquals("from", Suggest.search("form", names, false));
        assertEquals("", Suggest.search("from", names, false));
        assertEquals("", Suggest.search("zzzzzz", names, false));
        assertEquals("x (did you mean link?)", Suggest.withHint("x", "lnk", List.of("link", "from"), true));
        assertEquals(2, Suggest.distance("foo", "from"));
        assertEquals(3, Suggest.distance("", "abc"));
    }

    @Test
    void heredocOperandsAreParsedLikeMustParseHeredoc() {
        assertEquals(Optional.of(new Heredoc("EOF", "", true, false, 0)), InstructionReader.heredocOperand("<<EOF"));
        assertEquals(Optional.of(new Heredoc("EOF", "", false, true, 0)),
                InstructionReader.heredocOperand("<<-'EOF'"));
        assertEquals(Optional.of(new Heredoc("EOF", "", false, false, 2)),
                InstructionReader.heredocOperand("2<<\"EOF\""));
        assertEquals(Optional.of(new Heredoc("EOF", "", true, false, 0)),
                InstructionReader.heredocOperand("<<E\\OF"));
        assertEquals(Optional.empty(), InstructionReader.heredocOperand("<<"));
        assertEquals(Optional.empty(), InstructionReader.heredocOperand("<<'EOF"));
        assertEquals(Optional.empty(), InstructionReader.heredocOperand("a<<EOF"));
        assertEquals(Optional.empty(), InstructionReader.heredocOperand("/foo"));
        // ParseHeredoc's lexing error (here: a ${ without its }) means "not a heredoc" to MustParseHeredoc
        assertEquals(Optional.empty(), InstructionReader.heredocOperand("<<EOF${"));
    }

    @Test
    void leadingTabsAreChompedPerLine() {
        assertEquals("a\nb\n  c\n", Heredocs.chomp("\ta\n\t\tb\n  c\n"));
        // Go's (?m)^ starts a line only after \n
        assertEquals("a\r\tb\u2028\tc\r\nd", Heredocs.chomp("a\r\tb\u2028\tc\r\n\td"));
    }
}
