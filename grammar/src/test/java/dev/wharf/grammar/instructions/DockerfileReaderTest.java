package dev.wharf.grammar.instructions;

import static dev.wharf.grammar.instructions.Nodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Directives;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.ParseResult;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DockerfileReaderTest {

    /** Puts each node on its own line, in order. */
    static ParseResult file(Node... nodes) {
        List<Node> children = new ArrayList<>();
        int line = 1;
        for (Node n : nodes) {
            children.add(onLine(n, line++));
        }
        return new ParseResult(Directives.defaults(), children, List.of(), SourceRange.ofLines(1, Math.max(1, line - 1)));
    }

    private static Node onLine(Node n, int line) {
        return new Node(n.keyword(), move(n.keywordWord(), line), n.flags().stream().map(w -> move(w, line)).toList(),
                n.arguments().stream().map(w -> move(w, line)).toList(), n.child(), n.json(), n.heredocs(),
                n.original(), new SourceRange(new Position(line, 1), new Position(line, n.range().end().column())),
                n.comments());
    }

    private static Word move(Word w, int line) {
        return new Word(w.text(), new SourceRange(new Position(line, w.range().start().column()),
                new Position(line, w.range().end().column())));
    }

    @Test
    void argsBeforeTheFirstFromAreMetaArgsAndStagesCollectTheirCommands() throws DockerfileException {
        Dockerfile df = DockerfileReader.read(file(
                node("ARG", "VERSION=3"),
                node("FROM", "alpine:${VERSION}", "AS", "Base"),
                node("ARG", "VERSION"),
                node("RUN", "echo hi"),
                node("FROM", "base"),
                node("COPY", "a", "b")));
        assertEquals(1, df.metaArgs().size());
        assertEquals("VERSION", df.metaArgs().get(0).args().get(0).key());
        assertEquals(2, df.stages().size());
        Stage base = df.stages().get(0);
        assertEquals(0, base.index());
        assertEquals(Optional.of("base"), base.name());
        assertEquals("alpine:${VERSION}", base.baseName().text());
        assertEquals(List.of("ARG", "RUN"), base.commands().stream().map(Instruction::kind).toList());
        assertEquals(2, base.range().start().line());
        assertEquals(4, base.range().end().line());
        Stage second = df.stages().get(1);
        assertEquals(1, second.index());
        assertEquals(Optional.empty(), second.name());
        assertEquals(List.of("COPY"), second.commands().stream().map(Instruction::kind).toList());
        assertTrue(df.stage("BASE").isPresent());
        assertTrue(df.stage("other").isEmpty());
    }

    @Test
    void instructionsBeforeTheFirstFromAreAnError() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> DockerfileReader.read("ctx/Dockerfile", file(node("ARG", "A"), node("RUN", "x"))));
        assertEquals("no build stage in current context", e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
        assertEquals("ctx/Dockerfile", e.file());
    }

    @Test
    void instructionErrorsCarryTheirLine() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> DockerfileReader.read(file(node("FROM", "a"), node("WORKDIR"))));
        assertEquals("WORKDIR requires exactly one argument", e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
    }

    @Test
    void emptyFileHasNoStages() throws DockerfileException {
        Dockerfile df = DockerfileReader.read(file());
        assertEquals(List.of(), df.stages());
        assertEquals(List.of(), df.metaArgs());
    }
}
