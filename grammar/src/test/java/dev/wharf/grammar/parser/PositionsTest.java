package dev.wharf.grammar.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import org.junit.jupiter.api.Test;

/** Every keyword, flag and argument carries its exact physical line and column range. */
class PositionsTest {

    private static SourceRange r(int line, int col, int endLine, int endCol) {
        return new SourceRange(new Position(line, col), new Position(endLine, endCol));
    }

    @Test
    void flagAndArgumentOfAContinuedLineKeepTheirPhysicalPositions() throws DockerfileException {
        ParseResult result = DockerfileParser.parse("FROM alpine\nRUN --mount=type=cache \\\n    echo hi\n");
        Node run = result.children().get(1);
        assertEquals(r(2, 1, 2, 4), run.keywordWord().range());
        assertEquals("--mount=type=cache", run.flags().get(0).text());
        assertEquals(r(2, 5, 2, 23), run.flags().get(0).range());
        assertEquals("echo hi", run.arguments().get(0).text());
        assertEquals(r(3, 5, 3, 12), run.arguments().get(0).range());
        assertEquals(SourceRange.ofLines(2, 3), run.range());
        assertEquals("RUN --mount=type=cache     echo hi", run.original());
    }

    @Test
    void columnsCountTabsAsOneCharacterAndSkipTheLeftTrimmedIndentation() throws DockerfileException {
        Node run = DockerfileParser.parse("\tRUN\t--network=none\techo").children().get(0);
        assertEquals(r(1, 2, 1, 5), run.keywordWord().range());
        assertEquals(r(1, 6, 1, 20), run.flags().get(0).range());
        assertEquals(r(1, 21, 1, 25), run.arguments().get(0).range());
    }

    @Test
    void backtickEscapeContinuesLinesAndWordsKeepTheirPositions() throws DockerfileException {
        ParseResult result = DockerfileParser.parse("# escape=`\nFROM x\nENV A=1 `\n    B=\"two words\"\n");
        assertEquals('`', result.directives().escapeChar());
        Node env = result.children().get(1);
        assertEquals(6, env.arguments().size());
        assertEquals("A", env.arguments().get(0).text());
        assertEquals(r(3, 5, 3, 6), env.arguments().get(0).range());
        assertEquals("1", env.arguments().get(1).text());
        assertEquals(r(3, 7, 3, 8), env.arguments().get(1).range());
        assertEquals("B", env.arguments().get(3).text());
        assertEquals(r(4, 5, 4, 6), env.arguments().get(3).range());
        assertEquals("\"two words\"", env.arguments().get(4).text());
        assertEquals(r(4, 7, 4, 18), env.arguments().get(4).range());
        assertEquals("=", env.arguments().get(5).text());
        assertEquals(r(4, 6, 4, 7), env.arguments().get(5).range());
    }

    @Test
    void aWordSplitByAContinuationSpansBothLines() throws DockerfileException {
        Node arg = DockerfileParser.parse("ARG a=b\\\nc").children().get(0);
        assertEquals("a=bc", arg.arguments().get(0).text());
        assertEquals(r(1, 5, 2, 2), arg.arguments().get(0).range());
    }

    @Test
    void continuationLinesAfterCommentsAndBlankLinesMapToTheirOwnLines() throws DockerfileException {
        Node copy = DockerfileParser.parse("COPY --chown=a:b \\\n# note\n\n\t src \\\n  dst\n").children().get(0);
        assertEquals(r(1, 6, 1, 17), copy.flags().get(0).range());
        assertEquals("src", copy.arguments().get(0).text());
        assertEquals(r(4, 3, 4, 6), copy.arguments().get(0).range());
        assertEquals("dst", copy.arguments().get(1).text());
        assertEquals(r(5, 3, 5, 6), copy.arguments().get(1).range());
        assertEquals(SourceRange.ofLines(1, 5), copy.range());
    }

    @Test
    void jsonElementsCoverTheirQuotedStrings() throws DockerfileException {
        Node cmd = DockerfileParser.parse("CMD [\"a\", \"b c\"]").children().get(0);
        assertEquals(true, cmd.json());
        assertEquals(r(1, 6, 1, 9), cmd.arguments().get(0).range());
        assertEquals(r(1, 11, 1, 16), cmd.arguments().get(1).range());
    }

    @Test
    void nonAsciiTextIsMeasuredInCharactersNotBytes() throws DockerfileException {
        Node run = DockerfileParser.parse("RUN ünïcode ok").children().get(0);
        assertEquals(r(1, 5, 1, 15), run.arguments().get(0).range());
        Node from = DockerfileParser.parse("FROM ünï AS b").children().get(0);
        assertEquals(r(1, 10, 1, 12), from.arguments().get(1).range());
    }

    @Test
    void healthcheckTypeAndOnbuildChildHavePositions() throws DockerfileException {
        Node hc = DockerfileParser.parse("HEALTHCHECK --interval=5s CMD [\"curl\", \"x\"]").children().get(0);
        assertEquals(r(1, 27, 1, 30), hc.arguments().get(0).range());
        assertEquals(r(1, 32, 1, 38), hc.arguments().get(1).range());
        Node onbuild = DockerfileParser.parse("ONBUILD RUN --network=none echo").children().get(0);
        Node run = onbuild.child().orElseThrow();
        assertEquals(r(1, 9, 1, 12), run.keywordWord().range());
        assertEquals(r(1, 13, 1, 27), run.flags().get(0).range());
        assertEquals(r(1, 28, 1, 32), run.arguments().get(0).range());
    }

    @Test
    void bomIsNotCountedAsAColumn() throws DockerfileException {
        Node from = DockerfileParser.parse("\uFEFFFROM x").children().get(0);
        assertEquals(r(1, 1, 1, 5), from.keywordWord().range());
    }
}
