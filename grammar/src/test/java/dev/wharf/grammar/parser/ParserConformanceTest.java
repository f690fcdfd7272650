package dev.wharf.grammar.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.ConformanceCases;
import dev.wharf.grammar.ConformanceCases.JsonCase;
import dev.wharf.grammar.ConformanceCases.Tally;
import dev.wharf.grammar.DockerfileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * Runs every parser case of BuildKit's conformance data: the testfiles dumps, the negative files, testfile-line,
 * and all cases of transcribed/parser.jsonl, parser_heredoc.jsonl and directives.jsonl.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParserConformanceTest {

    private final Tally tally = new Tally();

    private static final Map<String, String> NEGATIVE_MESSAGES = Map.of(
            "empty_dockerfile", "file with no instructions",
            "only_comments", "file with no instructions",
            "env_no_value", "ENV must have two arguments",
            "shykes-nested-json", "when using JSON array syntax, arrays must be comprised of strings only");

    @AfterAll
    void printCounts() {
        tally.print();
    }

    private DynamicTest counted(String set, String name, Executable body) {
        return tally.test(name, body, set);
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    // --------------------------------------------------------------------------------------- testfiles

    @TestFactory
    Stream<DynamicTest> testfilesDumpMatchesResultByteForByte() throws IOException {
        Path dir = Conformance.buildkit().resolve("parser/testfiles");
        List<Path> cases;
        try (Stream<Path> s = Files.list(dir)) {
            cases = s.sorted().toList();
        }
        assertEquals(33, cases.size(), "testfiles count");
        return cases.stream().map(c -> counted("parser testfiles", c.getFileName().toString(), () -> {
            ParseResult result = DockerfileParser.parse(read(c.resolve("Dockerfile")));
            assertEquals(read(c.resolve("result")), NodeDumper.dump(result) + "\n");
        }));
    }

    @TestFactory
    Stream<DynamicTest> negativeTestfilesFailWithBuildKitsMessages() throws IOException {
        Path dir = Conformance.buildkit().resolve("parser/testfiles-negative");
        List<Path> cases;
        try (Stream<Path> s = Files.list(dir)) {
            cases = s.sorted().toList();
        }
        assertEquals(4, cases.size(), "negative count");
        return cases.stream().map(c -> counted("parser testfiles-negative", c.getFileName().toString(), () -> {
            String text = read(c.resolve("Dockerfile"));
            DockerfileException e = assertThrows(DockerfileException.class, () -> DockerfileParser.parse(text));
            assertEquals(NEGATIVE_MESSAGES.get(c.getFileName().toString()), e.reason());
            assertTrue(e.range().isPresent(), "error has a location");
        }));
    }

    // --------------------------------------------------------------------------------------- jsonl

    private static List<JsonNode> cases(String file) throws IOException {
        return ConformanceCases.readJsonl(Conformance.buildkit().resolve("transcribed").resolve(file)).stream()
                .map(JsonCase::json).toList();
    }

    private static String input(JsonNode c) throws IOException {
        if (c.has("input_file")) {
            return read(Conformance.buildkit().resolve(c.get("input_file").asText()));
        }
        if (c.has("input_template")) {
            JsonNode fill = c.get("fill");
            return c.get("input_template").asText().replace("{FILL}",
                    fill.get("char").asText().repeat(fill.get("count").asInt()));
        }
        String in = c.get("input").asText();
        return c.path("input_bom").asBoolean(false) ? "\uFEFF" + in : in;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && !array.isNull()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    /** Checks an {@code error*} expectation against the thrown exception. */
    private static void expectError(JsonNode expect, Executable action) {
        DockerfileException e = assertThrows(DockerfileException.class, action);
        if (expect.has("error_equals")) {
            assertEquals(expect.get("error_equals").asText(), e.reason());
        } else if (expect.has("error_contains")) {
            assertTrue(e.reason().contains(expect.get("error_contains").asText()), e.reason());
        } else {
            assertTrue(expect.path("error").asBoolean(), "expected an error case");
        }
    }

    private static boolean isError(JsonNode expect) {
        return expect.has("error") || expect.has("error_equals") || expect.has("error_contains");
    }

    @TestFactory
    Stream<DynamicTest> parserJsonlCases() throws IOException {
        return cases("parser.jsonl").stream().map(c -> counted("transcribed/parser.jsonl", c.get("id").asText(),
                () -> runParserCase(c)));
    }

    private static void runParserCase(JsonNode c) throws Exception {
        JsonNode expect = c.get("expect");
        String kind = c.get("kind").asText();
        String in = input(c);
        switch (kind) {
            case "parser.words" -> assertEquals(strings(expect.get("words")),
                    WordSplitter.split(in, c.get("escape").asText().charAt(0)));
            case "parser.parse.lines" -> {
                ParseResult r = DockerfileParser.parse(in);
                assertEquals(expect.get("root_start_line").asInt(), r.range().start().line());
                assertEquals(expect.get("root_end_line").asInt(), r.range().end().line());
                List<List<Integer>> lines = new ArrayList<>();
                r.children().forEach(n -> lines.add(List.of(n.startLine(), n.endLine())));
                List<List<Integer>> expected = new ArrayList<>();
                expect.get("children").forEach(p -> expected.add(List.of(p.get(0).asInt(), p.get(1).asInt())));
                assertEquals(expected, lines);
            }
            case "parser.parse.warnings" -> {
                ParseResult r = DockerfileParser.parse(in);
                assertEquals(expect.get("warning_count").asInt(), r.warnings().size());
                JsonNode ws = expect.get("warnings");
                for (int i = 0; i < ws.size(); i++) {
                    Warning w = r.warnings().get(i);
                    for (String part : strings(ws.get(i).get("short_contains"))) {
                        assertTrue(w.message().contains(part), w.message() + " contains " + part);
                    }
                    if (ws.get(i).has("detail0_contains")) {
                        assertTrue(w.detail().contains(ws.get(i).get("detail0_contains").asText()));
                    }
                }
            }
            case "parser.parse" -> {
                if (isError(expect)) {
                    expectError(expect, () -> DockerfileParser.parse(in));
                } else {
                    DockerfileParser.parse(in);
                }
            }
            case "parser.json_array" -> {
                if (isError(expect)) {
                    expectError(expect, () -> JsonArrays.parse(in));
                } else {
                    assertEquals(Optional.of(strings(expect.get("values"))), JsonArrays.parse(in));
                }
            }
            case "parser.name_val" -> {
                String instruction = c.get("instruction").asText();
                if (isError(expect)) {
                    expectError(expect, () -> NameValues.parse(in, instruction, '\\'));
                } else {
                    assertEquals(strings(expect.get("nodes")), NameValues.parse(in, instruction, '\\'));
                }
            }
            default -> fail("unknown kind " + kind);
        }
    }

    @TestFactory
    Stream<DynamicTest> parserHeredocJsonlCases() throws IOException {
        return cases("parser_heredoc.jsonl").stream().map(c -> counted("transcribed/parser_heredoc.jsonl",
                c.get("id").asText(), () -> runHeredocCase(c)));
    }

    private static void runHeredocCase(JsonNode c) throws Exception {
        JsonNode expect = c.get("expect");
        String kind = c.get("kind").asText();
        String in = input(c);
        switch (kind) {
            case "parser.parse.heredocs" -> {
                ParseResult r = DockerfileParser.parse(in);
                if (expect.has("child_count")) {
                    assertEquals(expect.get("child_count").asInt(), r.children().size());
                }
                for (JsonNode child : expect.get("children")) {
                    Node node = r.children().get(child.get("index").asInt());
                    if (child.has("first_line")) {
                        assertEquals(child.get("first_line").asText(), node.original());
                    }
                    JsonNode docs = child.get("heredocs");
                    if (docs == null || docs.isNull()) {
                        assertTrue(node.heredocs().isEmpty(), "no heredocs on child " + child);
                        continue;
                    }
                    assertEquals(docs.size(), node.heredocs().size());
                    for (int i = 0; i < docs.size(); i++) {
                        JsonNode d = docs.get(i);
                        Heredoc h = node.heredocs().get(i);
                        assertEquals(new Heredoc(d.get("name").asText(), d.get("content").asText(),
                                d.get("expand").asBoolean(), d.get("chomp").asBoolean(), d.get("fd").asInt()), h);
                    }
                }
            }
            case "parser.heredoc.chomp" -> assertEquals(expect.get("result").asText(), Heredocs.chomp(in));
            case "parser.heredoc.word" -> {
                if (isError(expect)) {
                    expectError(expect, () -> Heredocs.parseWord(in));
                } else if (expect.has("heredoc")) {
                    assertTrue(expect.get("heredoc").isNull(), "the only not-a-heredoc expectation is null");
                    assertEquals(Optional.empty(), Heredocs.parseWord(in));
                } else {
                    assertEquals(expect.get("name").asText(), Heredocs.parseWord(in).orElseThrow().name());
                }
            }
            case "parser.heredoc.from_line" -> {
                // Upstream's TestHeredocsFromLine only compares the heredocs returned, index by index, so the
                // expected names are checked as BuildKit's test checks them: the result must be a prefix.
                // ("RUN <<- EOF" gives no heredoc in BuildKit: the lexer splits "<<-" from "EOF".)
                List<String> want = strings(expect.get("names"));
                List<String> got = Heredocs.fromLine(in).stream().map(Heredoc::name).toList();
                assertTrue(got.size() <= want.size(), "at most " + want + " but was " + got);
                assertEquals(want.subList(0, got.size()), got);
            }
            default -> fail("unknown kind " + kind);
        }
    }

    @TestFactory
    Stream<DynamicTest> directivesJsonlCases() throws IOException {
        return cases("directives.jsonl").stream().map(c -> counted("transcribed/directives.jsonl",
                c.get("id").asText(), () -> runDirectiveCase(c)));
    }

    private static void runDirectiveCase(JsonNode c) throws Exception {
        JsonNode expect = c.get("expect");
        String kind = c.get("kind").asText();
        String in = input(c);
        switch (kind) {
            case "parser.directives.parse_all" -> {
                List<String> got = new ArrayList<>();
                new DirectiveParser().parseAll(in).forEach(d -> got.add(d.name() + "=" + d.value()));
                List<String> want = new ArrayList<>();
                expect.get("directives").forEach(d -> want.add(d.get("name").asText() + "=" + d.get("value").asText()));
                assertEquals(want, got);
            }
            case "parser.directives.detect_syntax" -> checkFound(expect, SyntaxDetector.detectSyntax(in));
            case "parser.directives.parse_directive" ->
                    checkFound(expect, SyntaxDetector.parseDirective(c.get("key").asText(), in));
            default -> fail("unknown kind " + kind);
        }
    }

    private static void checkFound(JsonNode expect, Optional<SyntaxDetector.Found> found) {
        if (!expect.get("ok").asBoolean()) {
            assertFalse(found.isPresent(), "nothing found");
            return;
        }
        SyntaxDetector.Found f = found.orElseThrow();
        assertEquals(expect.get("ref").asText(), f.reference());
        if (expect.has("cmdline")) {
            assertEquals(expect.get("cmdline").asText(), f.cmdline());
        }
        if (expect.has("line")) {
            assertEquals(expect.get("line").asInt(), f.line());
        }
    }
}
