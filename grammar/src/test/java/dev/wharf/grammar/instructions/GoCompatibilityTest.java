package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.grammar.DockerfileException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The Go library behaviour the instruction layer reproduces: durations, numbers, CSV, quoting, hints. */
class GoCompatibilityTest {

    private static String durationError(String text) {
        return assertThrows(DockerfileException.class, () -> GoDuration.parse(text)).reason();
    }

    @Test
    void durationsParseLikeGo() throws DockerfileException {
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse(".5s"));
        assertEquals(Duration.ofSeconds(-1), GoDuration.parse("-1s"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ZERO, GoDuration.parse("+0"));
        assertEquals(Duration.ofNanos(3_000), GoDuration.parse("1us2\u00b5s"));
        assertEquals(Duration.ofNanos(1_000), GoDuration.parse("1\u03bcs"));
        assertEquals(Duration.ofNanos(50), GoDuration.parse("50ns"));
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
    void healthcheckDurationRule() throws DockerfileException {
        assertEquals(Duration.ZERO, InstructionParser.healthcheckDuration("timeout", ""));
        assertEquals(Duration.ZERO, InstructionParser.healthcheckDuration("timeout", "0s"));
        assertEquals(Duration.ofMillis(1), InstructionParser.healthcheckDuration("timeout", "1ms"));
        assertEquals("Interval \"start-period\" cannot be less than 1ms", assertThrows(DockerfileException.class,
                () -> InstructionParser.healthcheckDuration("start-period", "999us")).reason());
        assertEquals("Interval \"timeout\" cannot be less than 1ms", assertThrows(DockerfileException.class,
                () -> InstructionParser.healthcheckDuration("timeout", "-5s")).reason());
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
    void quotingLikeStrconvQuote() {
        assertEquals("\"a\\\"b\\\\c\"", GoText.quote("a\"b\\c"));
        assertEquals("\"\\t\\n\\x00\\x7f\"", GoText.quote("\t\n\u0000\u007f"));
        assertEquals("\"h\u00e9 'x'\"", GoText.quote("h\u00e9 'x'"));
        assertEquals("\"\\u00a0\\U000e0001\"", GoText.quote("\u00a0\uDB40\uDC01"));
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
    void heredocOperands() {
        assertEquals(Optional.of(new HeredocWord.Parsed("EOF", true, false)), HeredocWord.parse("<<EOF"));
        assertEquals(Optional.of(new HeredocWord.Parsed("EOF", false, true)), HeredocWord.parse("<<-'EOF'"));
        assertEquals(Optional.of(new HeredocWord.Parsed("EOF", false, false)), HeredocWord.parse("2<<\"EOF\""));
        assertEquals(Optional.of(new HeredocWord.Parsed("EOF", true, false)), HeredocWord.parse("<<E\\OF"));
        assertEquals(Optional.empty(), HeredocWord.parse("<<"));
        assertEquals(Optional.empty(), HeredocWord.parse("<<'EOF"));
        assertEquals(Optional.empty(), HeredocWord.parse("a<<EOF"));
        assertEquals(Optional.empty(), HeredocWord.parse("/foo"));
    }

    @Test
    void leadingTabsAreChompedPerLine() {
        assertEquals("a\nb\n  c\n", InstructionParser.chomp("\ta\n\t\tb\n  c\n"));
    }
}
