package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.DockerfileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code transcribed/dockerfile2llb.jsonl}: build-level expectations of BuildKit's
 * {@code dockerfile2llb} (stage references, target lookup, COPY from a URL, empty FROM, cycles, ENV list
 * updates, EXPOSE port specs), each planned entirely in memory.
 */
class DockerfileToLlbConformanceTest {

    private static final AtomicInteger PASSED = new AtomicInteger();
    private static final AtomicInteger FAILED = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> dockerfile2llbCases() throws IOException {
        Path file = Conformance.buildkit().resolve("transcribed/dockerfile2llb.jsonl");
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode c = JSON.readTree(line);
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                try {
                    run(c);
                    PASSED.incrementAndGet();
                } catch (AssertionError | RuntimeException e) {
                    FAILED.incrementAndGet();
                    throw e;
                }
            }));
        }
        assertEquals(35, tests.size(), "cases in dockerfile2llb.jsonl");
        return tests.stream();
    }

    @AfterAll
    static void report() {
        System.out.println("dockerfile2llb.jsonl: " + PASSED.get() + " passed, " + FAILED.get() + " failed");
    }

    private static void run(JsonNode c) {
        String kind = c.get("kind").asText();
        JsonNode expect = c.get("expect");
        switch (kind) {
            case "build.convert" -> convert(c, expect);
            case "build.add_env" -> assertEquals(strings(expect.get("result")),
                    ImageConfig.addEnv(strings(c.get("env")), c.get("key").asText(), c.get("value").asText()));
            case "build.parse_key_value" -> {
                EnvEntry entry = EnvEntry.parse(c.get("input").asText());
                assertEquals(expect.get("key").asText(), entry.key());
                assertEquals(expect.get("value").asText(), entry.value());
            }
            case "build.expose_port" -> outcome(expect, () -> PortSpecs.parsePort(c.get("input").asText()));
            case "build.expose_ports" -> outcome(expect, () -> PortSpecs.parsePorts(strings(c.get("input"))));
            default -> fail("unknown kind " + kind);
        }
    }

    private static void convert(JsonNode c, JsonNode expect) {
        PlanRequest request = Plans.request();
        if (c.has("target")) {
            request = request.withTarget(c.get("target").asText());
        }
        PlanRequest r = request;
        Object result = outcome(expect, () -> Plans.plan(c.get("input").asText(), r));
        if (expect.has("image_config_labels")) {
            Map<String, String> labels = new TreeMap<>();
            expect.get("image_config_labels").fields().forEachRemaining(e -> labels.put(e.getKey(),
                    e.getValue().asText()));
            assertEquals(labels, ((BuildPlan) result).targetStage().config().labels());
        }
    }

    /** Runs {@code call} and checks it against {@code expect}; the result when it succeeded. */
    private static Object outcome(JsonNode expect, Call call) {
        Object result;
        try {
            result = call.call();
        } catch (DockerfileException e) {
            if (expect.has("error_equals")) {
                assertEquals(expect.get("error_equals").asText(), e.reason());
            } else if (expect.has("error_contains")) {
                assertTrue(e.reason().contains(expect.get("error_contains").asText()), e.reason());
            } else {
                assertTrue(expect.has("error"), "unexpected error: " + e.getMessage());
            }
            return null;
        }
        assertTrue(!expect.has("error") && !expect.has("error_equals") && !expect.has("error_contains"),
                "expected an error, got " + result);
        assertNotNull(result);
        if (expect.has("ports")) {
            assertEquals(strings(expect.get("ports")), result);
        }
        return result;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @FunctionalInterface
    private interface Call {
        Object call() throws DockerfileException;
    }
}
