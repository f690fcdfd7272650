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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * BuildKit's {@code shell/envVarTest} (conformance README section 3): every A+U line with Linux name
 * semantics, and every A+W line in Windows mode (case-insensitive names).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvVarTestConformanceTest {

    private static final List<String> ENV = List.of("PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=");

    private static final String LINUX = "shell/envVarTest linux (A+U)";
    private static final String WINDOWS = "shell/envVarTest windows (A+W)";

    private final Tally tally = new Tally();

    private record Case(int line, String platform, String input, String expected) {
    }

    @TestFactory
    Stream<DynamicTest> linuxModeExpandsEveryAllAndUnixLine() throws IOException {
        ShellLexer lexer = ShellLexer.create('\\');
        EnvGetter env = EnvGetter.fromList(ENV);
        List<Case> cases = cases().stream().filter(c -> !c.platform().equals("W")).toList();
        assertEquals(228, cases.size(), "A+U lines in envVarTest");
        return cases.stream().map(c -> test("linux", c, lexer, env, LINUX));
    }

    @TestFactory
    Stream<DynamicTest> windowsModeExpandsEveryAllAndWindowsLine() throws IOException {
        ShellLexer lexer = ShellLexer.create('\\').withCaseInsensitiveEnv(true);
        EnvGetter env = EnvGetter.fromList(ENV, true);
        List<Case> cases = cases().stream().filter(c -> !c.platform().equals("U")).toList();
        assertEquals(228, cases.size(), "A+W lines in envVarTest");
        return cases.stream().map(c -> test("windows", c, lexer, env, WINDOWS));
    }

    @AfterAll
    void printCounts() {
        tally.print("", List.of(LINUX, WINDOWS));
    }

    private DynamicTest test(String mode, Case c, ShellLexer lexer, EnvGetter env, String set) {
        return tally.test(mode + " line " + c.line() + ": " + c.input(), () -> {
            if (c.expected().equals("error")) {
                assertThrows(ShellExpansionException.class, () -> lexer.processWord(c.input(), env),
                        "line " + c.line() + " must fail: " + c.input());
            } else {
                assertEquals(c.expected(), lexer.processWord(c.input(), env), "line " + c.line());
            }
        }, set);
    }

    private static List<Case> cases() throws IOException {
        Path file = Conformance.buildkit().resolve("shell").resolve("envVarTest");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                continue; // comments are skipped before trimming
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\|", -1);
            assertEquals(3, fields.length, "line " + (i + 1) + " must have 3 fields: " + line);
            String platform = fields[0].strip();
            if (!List.of("A", "U", "W").contains(platform)) {
                throw new IllegalStateException("line " + (i + 1) + ": bad platform " + platform);
            }
            cases.add(new Case(i + 1, platform, fields[1].strip(), fields[2].strip()));
        }
        return cases;
    }
}
