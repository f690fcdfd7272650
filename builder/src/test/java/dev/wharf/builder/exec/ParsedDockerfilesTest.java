package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import org.junit.jupiter.api.Test;

class ParsedDockerfilesTest {
    private static final String TEXT = "FROM busybox:latest\nRUN echo hi\n";

    @Test
    void anUnchangedDockerfileIsParsedOnce() throws DockerfileException {
        ParsedDockerfiles parsed = new ParsedDockerfiles();
        Dockerfile first = parsed.parse("Dockerfile", TEXT);
        assertSame(first, parsed.parse("Dockerfile", TEXT));
        assertEquals(1, first.stages().size());
    }

    @Test
    void aChangedTextOrNameIsParsedAgain() throws DockerfileException {
        ParsedDockerfiles parsed = new ParsedDockerfiles();
        Dockerfile first = parsed.parse("Dockerfile", TEXT);
        Dockerfile changed = parsed.parse("Dockerfile", TEXT + "FROM scratch\n");
        assertEquals(2, changed.stages().size());
        assertNotSame(first, parsed.parse("app.Dockerfile", TEXT));
    }

    @Test
    void aSyntaxErrorIsReportedEveryTime() {
        ParsedDockerfiles parsed = new ParsedDockerfiles();
        String bad = "FROM\n";
        assertThrows(DockerfileException.class, () -> parsed.parse("Dockerfile", bad));
        assertThrows(DockerfileException.class, () -> parsed.parse("Dockerfile", bad));
    }

    @Test
    void anInstructionThatDoesNotRead_isADockerfileParseErrorOnItsFirstLine_asInBuildKit() {
        // instructions/parse.go parseError: "dockerfile parse error on line N: ...", N the instruction's first line.
        ParsedDockerfiles parsed = new ParsedDockerfiles();
        DockerfileException unknown = assertThrows(DockerfileException.class,
                () -> parsed.parse("Dockerfile", "FROM busybox\nFOO bar\n"));
        assertEquals("dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)",
                unknown.reason());
        assertEquals(2, unknown.range().orElseThrow().start().line());
        DockerfileException flag = assertThrows(DockerfileException.class,
                () -> parsed.parse("Dockerfile", "FROM busybox\nRUN \\\n  --bogus=1 true\n"));
        assertEquals(true, flag.reason().startsWith("dockerfile parse error on line 2: "), flag.reason());
        DockerfileException early = assertThrows(DockerfileException.class,
                () -> parsed.parse("Dockerfile", "RUN true\n"));
        assertEquals("no build stage in current context", early.reason());
    }
}
