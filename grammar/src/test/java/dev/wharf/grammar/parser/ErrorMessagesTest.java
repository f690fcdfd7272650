package dev.wharf.grammar.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import org.junit.jupiter.api.Test;

/** Syntax errors carry BuildKit's message as reason() and the place of the problem. */
class ErrorMessagesTest {

    private static DockerfileException fails(String text) {
        return assertThrows(DockerfileException.class, () -> DockerfileParser.parse("app.Dockerfile", text));
    }

    @Test
    void envWithoutValuePointsAtTheName() {
        DockerfileException e = fails("FROM x\nENV foo\n");
        assertEquals("ENV must have two arguments", e.reason());
        assertEquals(new SourceRange(new Position(2, 5), new Position(2, 8)), e.range().orElseThrow());
        assertEquals("app.Dockerfile:2:5: ENV must have two arguments", e.getMessage());
        assertEquals("app.Dockerfile", e.file());
    }

    @Test
    void labelWordWithoutEqualsIsQuotedLikeGo() {
        DockerfileException e = fails("LABEL a=b \"c\td\"");
        assertEquals("Syntax error - can't find = in \"\\\"c\\td\\\"\". Must be of the form: name=value", e.reason());
        assertEquals(new Position(1, 11), e.range().orElseThrow().start());
    }

    @Test
    void jsonArrayWithANonStringPointsAtTheElement() {
        DockerfileException e = fails("CMD [\"a\", 1]");
        assertEquals("when using JSON array syntax, arrays must be comprised of strings only", e.reason());
        assertEquals(new SourceRange(new Position(1, 11), new Position(1, 12)), e.range().orElseThrow());
    }

    @Test
    void emptyFileAndCommentsOnlyHaveNoInstructions() {
        assertEquals("file with no instructions", fails("").reason());
        assertEquals("file with no instructions", fails("# a\n\n# b\n").reason());
        assertEquals(3, fails("# a\n\n# b\n").range().orElseThrow().start().line());
    }

    @Test
    void unterminatedHeredocNamesTheInstructionLines() {
        DockerfileException e = fails("FROM x\nRUN <<EOF\necho\n");
        assertEquals("unterminated heredoc", e.reason());
        assertEquals(SourceRange.ofLines(2, 3), e.range().orElseThrow());
    }

    @Test
    void repeatedDirectiveAndInvalidEscape_areLocatedAsBuildKitDoes_oneLineAbove() {
        // BuildKit locates directive errors at its count of the lines before them (buildx 0.13.1 marks line 1 for
        // a repeated directive on line 2, and prints no lines for a bad one on line 1).
        DockerfileException dup = fails("# escape=`\n# ESCAPE=\\\nFROM x\n");
        assertEquals("only one escape parser directive can be used", dup.reason());
        assertEquals(1, dup.range().orElseThrow().start().line());
        DockerfileException bad = fails("# escape=x\nFROM x\n");
        assertEquals("invalid escape token 'x' does not match ` or \\", bad.reason());
        assertEquals(java.util.Optional.empty(), bad.range());
    }

    @Test
    void lineOfSixtyFourKibibytesIsTooLongButOneByteLessIsNot() throws DockerfileException {
        String ok = "FROM x\nLABEL a=" + "b".repeat(65535 - 8) + "\n";
        assertEquals(2, DockerfileParser.parse(ok).children().size());
        DockerfileException e = fails("FROM x\nLABEL a=" + "b".repeat(65536 - 8) + "\n");
        assertEquals("dockerfile line greater than max allowed size of 65535", e.reason());
        // BuildKit's count of the lines read, so the line before the long one (measured with buildx 0.13.1).
        assertEquals(1, e.range().orElseThrow().start().line());
        // bytes, not chars: 21846 three-byte chars make 65538 bytes
        assertEquals("dockerfile line greater than max allowed size of 65535",
                fails("FROM x\nRUN " + "€".repeat(21846)).reason());
        // a too-long first instruction means the file has no instructions
        assertEquals("file with no instructions", fails("RUN " + "x".repeat(70000)).reason());
    }

    @Test
    void afterATooLongLineInsideAContinuationItsFirst64KiBAreReadAsOneMoreLine() {
        // bufio.Scanner hands out the truncated line on the Scan() after ErrTooLong; BuildKit makes that call
        // when the long line ended a continuation, so the cut line is parsed as an instruction
        String longLine = "LABEL a=" + "x".repeat(100) + " " + "y".repeat(65530);
        DockerfileException e = fails("FROM a\nRUN b \\\n" + longLine + "\n");
        assertEquals("Syntax error - can't find = in \"" + "y".repeat(65536 - 109)
                + "\". Must be of the form: name=value", e.reason());
        // outside a continuation the scan just stops
        assertEquals("dockerfile line greater than max allowed size of 65535",
                fails("FROM a\nRUN b\n" + longLine + "\n").reason());
    }

    @Test
    void heredocDelimiterThatCannotBeLexedIsAnError() {
        DockerfileException e = assertThrows(DockerfileException.class, () -> Heredocs.parseWord("<<'EOF"));
        assertEquals("failed to process \"'EOF\": unexpected end of statement while looking for matching single-quote",
                e.reason());
    }
}
