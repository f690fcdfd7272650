package dev.wharf.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.ConformanceCases.Tally;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * BuildKit's {@code shell/wordsTest} (conformance README section 4): ProcessWords with a cumulative
 * environment built from the {@code ENV} lines, default lexer options.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WordsTestConformanceTest {

    private static final String SET = "shell/wordsTest";

    private final Tally tally = new Tally();

    private record Case(int line, String input, List<String> expected, List<String> env) {
    }

    @TestFactory
    Stream<DynamicTest> processWordsSplitsEveryCase() throws IOException {
        ShellLexer lexer = ShellLexer.create('\\');
        List<Case> cases = cases();
        assertEquals(24, cases.size(), "cases in wordsTest");
        return cases.stream().map(c -> tally.test("line " + c.line() + ": " + c.input(), () -> {
            EnvGetter env = EnvGetter.fromList(c.env());
            if (c.expected().equals(List.of("error"))) {
                assertThrows(ShellExpansionException.class, () -> lexer.processWords(c.input(), env));
            } else {
                assertEquals(c.expected(), lexer.processWords(c.input(), env), "line " + c.line());
            }
        }, SET));
    }

    @AfterAll
    void printCounts() {
        tally.print("", List.of(SET));
    }

    private static List<Case> cases() throws IOException {
        Path file = Conformance.buildkit().resolve("shell").resolve("wordsTest");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> env = new ArrayList<>();
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("ENV ")) {
                // The value is kept verbatim, trailing spaces included.
                env.add(stripLeadingSpaces(line.substring(3)));
                continue;
            }
            String[] fields = line.split("\\|", -1);
            assertEquals(2, fields.length, "line " + (i + 1) + " must contain exactly one |: " + line);
            List<String> expected = Arrays.asList(stripLeadingSpaces(fields[1]).split(",", -1));
            cases.add(new Case(i + 1, fields[0].strip(), List.copyOf(expected), List.copyOf(env)));
        }
        return cases;
    }

    private static String stripLeadingSpaces(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return s.substring(i);
    }
}
