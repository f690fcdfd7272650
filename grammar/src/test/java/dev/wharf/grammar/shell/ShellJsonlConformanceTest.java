package dev.wharf.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.grammar.Conformance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicInteger passed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> everyShellCaseHolds() throws IOException {
        Path file = Conformance.buildkit().resolve("transcribed").resolve("shell.jsonl");
        List<JsonNode> cases = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                cases.add(JSON.readTree(line));
            }
        }
        assertEquals(63, cases.size(), "cases in shell.jsonl");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("id").asText(), () -> {
            try {
                switch (c.get("kind").asText()) {
                    case "shell.process_word" -> checkProcessWord(c);
                    case "shell.env_lookup" -> checkEnvLookup(c);
                    default -> fail("unknown kind " + c.get("kind").asText());
                }
                passed.incrementAndGet();
            } catch (Throwable t) {
                failed.incrementAndGet();
                throw t;
            }
        }));
    }

    @AfterAll
    void printCounts() {
        System.out.println("transcribed/shell.jsonl: " + passed + " passed, " + failed + " failed");
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
