package dev.wharf.grammar.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.instructions.InstructionReader;
import dev.wharf.grammar.parser.Directives;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.ParseResult;
import dev.wharf.grammar.parser.Word;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AstJsonTest {

    private static Word word(String text, int line, int column) {
        return new Word(text, new SourceRange(new Position(line, column), new Position(line, column + text.length())));
    }

    /** {@code keyword flags… args…} laid out on {@code line}. */
    private static Node node(int line, String keyword, List<String> flags, List<String> args, boolean json) {
        int column = keyword.length() + 2;
        List<Word> flagWords = new ArrayList<>();
        for (String f : flags) {
            flagWords.add(word(f, line, column));
            column += f.length() + 1;
        }
        List<Word> argWords = new ArrayList<>();
        for (String a : args) {
            argWords.add(word(a, line, column));
            column += a.length() + 1;
        }
        return new Node(keyword.toLowerCase(), word(keyword, line, 1), flagWords, argWords, Optional.empty(), json,
                List.of(), keyword, new SourceRange(new Position(line, 1), new Position(line, column)), List.of());
    }

    private static Dockerfile sample() throws DockerfileException {
        List<Node> nodes = List.of(
                node(1, "ARG", List.of(), List.of("V=1"), false),
                node(2, "FROM", List.of("--platform=linux/amd64"), List.of("alpine", "AS", "base"), false),
                node(3, "RUN", List.of("--mount=type=cache,target=/c"), List.of("echo", "hi"), true),
                node(4, "HEALTHCHECK", List.of("--interval=30s"), List.of("CMD", "true"), false));
        return DockerfileReader.read(new ParseResult(Directives.defaults(), nodes, List.of(), SourceRange.ofLines(1, 4)));
    }

    @Test
    void dockerfileBecomesStagesWithKindsAndPositions() throws DockerfileException {
        JsonNode root = new AstJson().tree(sample());
        assertEquals("V", root.at("/metaArgs/0/args/0/key").asText());
        assertEquals("1", root.at("/metaArgs/0/args/0/defaultValue").asText());
        JsonNode stage = root.at("/stages/0");
        assertEquals(0, stage.get("index").asInt());
        assertEquals("FROM", stage.at("/from/kind").asText());
        assertEquals("base", stage.at("/from/stageName").asText());
        assertEquals("linux/amd64", stage.at("/from/platform/text").asText());
        assertEquals(2, stage.at("/from/image/range/start/line").asInt());
        assertEquals(29, stage.at("/from/image/range/start/column").asInt());
        JsonNode run = stage.at("/commands/0");
        assertEquals("kind", run.fieldNames().next(), "kind comes first");
        assertEquals("RUN", run.get("kind").asText());
        assertEquals("default", run.get("network").asText());
        assertEquals("sandbox", run.get("security").asText());
        assertEquals("type=cache,target=/c", run.at("/mountSpecs/0/text").asText());
        assertEquals("echo", run.at("/command/args/0/text").asText());
        assertTrue(run.at("/command/prependShell").isBoolean());
        JsonNode health = stage.at("/commands/1");
        assertEquals("HEALTHCHECK", health.get("kind").asText());
        assertEquals("PT30S", health.at("/health/interval").asText());
        assertEquals("CMD-SHELL", health.at("/health/test/0").asText());
    }

    @Test
    void absentOptionalsAreNullAndOutputIsStable() throws DockerfileException {
        AstJson json = new AstJson();
        Dockerfile df = sample();
        String first = json.write(df);
        assertEquals(first, new AstJson().write(df));
        JsonNode copy = json.tree(DockerfileReader.read(new ParseResult(Directives.defaults(),
                List.of(node(1, "FROM", List.of(), List.of("x"), false),
                        node(2, "COPY", List.of(), List.of("a", "/b"), false)),
                List.of(), SourceRange.ofLines(1, 2))));
        assertTrue(copy.at("/stages/0/from/stageName").isNull());
        assertTrue(copy.at("/stages/0/commands/0/from").isNull());
        assertEquals("/b", copy.at("/stages/0/commands/0/files/dest/text").asText());
    }

    @Test
    void singleInstructionRendersExactly() throws Exception {
        String text = new AstJson().write(InstructionReader.parse(node(1, "USER", List.of(), List.of("app"), false)));
        JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        Iterator<String> names = tree.fieldNames();
        assertEquals(List.of("kind", "origin", "user"), List.of(names.next(), names.next(), names.next()));
        assertEquals("USER", tree.get("kind").asText());
        assertEquals("{\"text\":\"app\",\"range\":{\"start\":{\"line\":1,\"column\":6},\"end\":{\"line\":1,\"column\":9}}}",
                tree.get("user").toString());
        assertEquals("USER", tree.at("/origin/keyword/text").asText());
    }
}
