package dev.wharf.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * What every conformance test shares: reading a {@code .jsonl} file of cases (one JSON object a line) and
 * counting passed and failed cases per set, printed as {@code "<set>: N passed, M failed"}.
 *
 * <p>The reader is stateless; a {@link Tally} is mutable and synchronized, one per test class.
 */
public final class ConformanceCases {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConformanceCases() {
    }

    /** One case of a {@code .jsonl} file: its JSON object and its 1-based line number. */
    public record JsonCase(int line, JsonNode json) {

        /** The case's {@code id}, or its line number when it has none. */
        public String id() {
            return json.has("id") ? json.get("id").asText() : "line " + line;
        }

        /** The case's {@code kind} ({@code ""} when absent). */
        public String kind() {
            return json.path("kind").asText();
        }
    }

    /** Every non-blank line of {@code file} (UTF-8) parsed as JSON, in file order. */
    public static List<JsonCase> readJsonl(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<JsonCase> cases = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                try {
                    cases.add(new JsonCase(i + 1, JSON.readTree(lines.get(i))));
                } catch (IOException e) {
                    throw new UncheckedIOException(file + ":" + (i + 1) + ": not JSON", e);
                }
            }
        }
        return cases;
    }

    /** Passed and failed counts per named set of cases. Thread-safe. */
    public static final class Tally {

        private final Map<String, int[]> counts = new TreeMap<>();

        /** A dynamic test running {@code body} whose outcome counts for every one of {@code sets}. */
        public DynamicTest test(String name, Executable body, String... sets) {
            return DynamicTest.dynamicTest(name, counted(body, sets));
        }

        /** {@code body}, counted for every one of {@code sets} when it runs; failures are rethrown. */
        public Executable counted(Executable body, String... sets) {
            return () -> {
                try {
                    body.execute();
                } catch (Throwable t) {
                    count(sets, 1);
                    throw t;
                }
                count(sets, 0);
            };
        }

        private synchronized void count(String[] sets, int index) {
            for (String set : sets) {
                counts.computeIfAbsent(set, k -> new int[2])[index]++;
            }
        }

        /** Prints {@code "<set>: N passed, M failed"} for every set, in name order. */
        public synchronized void print() {
            print("", counts.keySet());
        }

        /** Prints the counts of {@code sets}, in that order, each line starting with {@code indent}. */
        public synchronized void print(String indent, Iterable<String> sets) {
            for (String set : sets) {
                int[] n = counts.getOrDefault(set, new int[2]);
                System.out.println(indent + set + ": " + n[0] + " passed, " + n[1] + " failed");
            }
        }

        /** The names of the sets counted so far, in name order. */
        public synchronized List<String> sets() {
            return List.copyOf(counts.keySet());
        }
    }
}
