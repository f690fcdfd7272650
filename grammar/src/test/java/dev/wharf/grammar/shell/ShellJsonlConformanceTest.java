package dev.wharf.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.ConformanceCases;
import dev.wharf.grammar.ConformanceCases.JsonCase;
import dev.wharf.grammar.ConformanceCases.Tally;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code transcribed/shell.jsonl} (conformance README section 5): {@code shell.process_word} with
 * result and matched/unmatched sets or error text, and {@code shell.env_lookup}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShellJsonlConformanceTest {

    private final Tally tally = new Tally();

    @TestFactory
    Stream<DynamicTest> everyShellCaseHolds() throws IOException {
        List<JsonCase> cases = ConformanceCases.readJsonl(
                Conformance.buildkit().resolve("transcribed").resolve("shell.jsonl"));
        assertEquals(63, cases.size(), "cases in shell.jsonl");
        return cases.stream().map(c -> tally.test(c.id(), () -> {
            switch (c.kind()) {
                case "shell.process_word" -> checkProcessWord(c.json());
                case "shell.env_lookup" -> checkEnvLookup(c.json());
                default -> fail("unknown kind " + c.kind());
            }
        }, "transcribed/shell.jsonl"));
    }

    @AfterAll
    void printCounts() {
        tally.print();
    }

    private static void checkProcessWord(JsonNode c) throws ShellExpansionException {
        ShellLexer lexer = ShellLexer.create(c.get("escape").asText().charAt(0));
        EnvGetter env = env(c);
        String input = c.get("input").asText();
        JsonNode expect = c.get("expect");
        if (expect.path("ok").asBoolean()) {
            ExpansionResult result = lexer.processWordWithMatches(input, env);
            assertEquals(expect.get("result").asText(), result.value());
            assertEquals(expect.get("result").asText(), lexer.processWord(input, env));
            if (expect.has("matched")) {
                assertEquals(new TreeSet<>(strings(expect.get("matched"))), new TreeSet<>(result.matched()), "matched");
            }
            if (expect.has("unmatched")) {
                assertEquals(new TreeSet<>(strings(expect.get("unmatched"))), new TreeSet<>(result.unmatched()), "unmatched");
            }
            return;
        }
        ShellExpansionException e = assertThrows(ShellExpansionException.class,
                () -> lexer.processWordWithMatches(input, env));
        if (expect.has("error_equals")) {
            assertEquals(expect.get("error_equals").asText(), e.reason());
        } else if (expect.has("error_contains")) {
            String wanted = expect.get("error_contains").asText();
            assertTrue(e.reason().contains(wanted), () -> "'" + e.reason() + "' should contain '" + wanted + "'");
        } else {
            assertTrue(expect.path("error").asBoolean(), "unknown expectation " + expect);
        }
    }

    private static void checkEnvLookup(JsonNode c) {
        EnvGetter env = env(c);
        String value = env.get(c.get("name").asText());
        assertEquals(c.get("expect").get("value").asText(), value == null ? "" : value);
    }

    private static EnvGetter env(JsonNode c) {
        if (c.has("env_list")) {
            return EnvGetter.fromList(strings(c.get("env_list")));
        }
        Map<String, String> map = new LinkedHashMap<>();
        c.path("env").fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return EnvGetter.fromMap(map);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
