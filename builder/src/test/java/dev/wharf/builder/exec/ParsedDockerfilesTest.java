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
}
