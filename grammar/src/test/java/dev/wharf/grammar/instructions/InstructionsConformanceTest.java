package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.grammar.Conformance;
import dev.wharf.grammar.ConformanceCases;
import dev.wharf.grammar.ConformanceCases.JsonCase;
import dev.wharf.grammar.ConformanceCases.Tally;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.ParseResult;
import dev.wharf.grammar.parser.Word;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs every case of BuildKit's {@code transcribed/instructions.jsonl} (see the conformance README, section 5)
 * and prints the pass/fail counts per kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstructionsConformanceTest {

    private static final String TOTAL = "instructions.jsonl";

    private final Tally byKind = new Tally();
    private final Tally total = new Tally();

    @TestFactory
    Stream<DynamicTest> everyTranscribedCase() throws IOException {
        List<JsonCase> cases =
                ConformanceCases.readJsonl(Conformance.buildkit().resolve("transcribed/instructions.jsonl"));
        assertEquals(70, cases.size(), "instructions.jsonl should hold 70 cases");
        return cases.stream().map(c -> total.test(c.id() + " [" + c.kind() + "]",
                byKind.counted(() -> run(c.json()), c.kind()), TOTAL));
    }

    @AfterAll
    void printCounts() {
        byKind.print("  ", byKind.sets());
        total.print("", List.of(TOTAL));
    }

    private void run(JsonNode c) throws Exception {
        JsonNode expect = c.get("expect");
        switch (c.get("kind").asText()) {
            case "instructions.parse_first" -> check(expect, () -> parseFirst(c.get("input").asText()));
            case "instructions.parse_node" -> check(expect, () -> InstructionReader.parse(syntheticNode(c.get("node"))));
            case "instructions.healthcheck_duration_flag" -> check(expect,
                    () -> InstructionReader.healthcheckDuration(c.get("flag").asText(), c.get("value").asText()));
            case "instructions.run_device" -> check(expect, () -> DeviceParser.parse(c.get("input").asText()));
            case "instructions.handle_json_args" -> assertEquals(strings(expect.get("result")),
                    InstructionReader.handleJsonArgs(words(strings(c.get("args"))), c.get("json").asBoolean())
                            .stream().map(Word::text).toList());
            case "instructions.bflags" -> check(expect, () -> BuildFlags.parse(specs(c.get("defs")),
                    words(strings(c.get("args")))));
            case "instructions.parse_all" -> check(expect, () -> DockerfileReader.read(
                    DockerfileParser.parse(c.get("input").asText())));
            case "instructions.no_crash" -> noCrash(c);
            default -> fail("unknown kind " + c.get("kind"));
        }
    }

    private static Instruction parseFirst(String input) throws DockerfileException {
        ParseResult result = DockerfileParser.parse(input);
        return InstructionReader.parse(result.children().get(0));
    }

    /** Something that may throw the module's exception. */
    private interface Action {
        Object run() throws DockerfileException;
    }

    private static void check(JsonNode expect, Action action) {
        if (expect.has("error") || expect.has("error_equals") || expect.has("error_contains")) {
            DockerfileException e = assertThrows(DockerfileException.class, action::run);
            if (expect.has("error_equals")) {
                assertEquals(expect.get("error_equals").asText(), e.reason());
            }
            if (expect.has("error_contains")) {
                String wanted = expect.get("error_contains").asText();
                assertTrue(e.reason().contains(wanted), () -> "reason '" + e.reason() + "' lacks '" + wanted + "'");
            }
            return;
        }
        Object result;
        try {
            result = action.run();
        } catch (DockerfileException e) {
            throw new AssertionError("expected success, got: " + e.getMessage(), e);
        }
        assertTrue(expect.path("ok").asBoolean(false), "case expects success");
        ExpectedFields.verify(expect, result);
    }

    private static void noCrash(JsonNode c) {
        int parsed = 0;
        for (JsonNode command : c.get("commands")) {
            for (JsonNode template : c.get("inputs_template")) {
                String text = template.asText().replace("{CMD}", command.asText());
                ParseResult result;
                try {
                    result = DockerfileParser.parse(text);
                } catch (DockerfileException e) {
                    continue; // only texts that parse are fed to the instruction layer
                }
                parsed++;
                try {
                    DockerfileReader.read(result);
                } catch (DockerfileException e) {
                    assertFalse(e.reason().isEmpty(), "error without reason for " + text);
                }
            }
        }
        assertTrue(parsed > 0, "no template parsed at all");
    }

    private static Node syntheticNode(JsonNode n) {
        return Nodes.node(n.get("value").asText(), List.of(), strings(n.get("args")), n.path("json").asBoolean(false));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static List<Word> words(List<String> texts) {
        List<Word> out = new ArrayList<>();
        int column = 1;
        for (String text : texts) {
            out.add(Nodes.word(text, 1, column));
            column += text.length() + 1;
        }
        return out;
    }

    private static List<FlagSpec> specs(JsonNode defs) {
        List<FlagSpec> specs = new ArrayList<>();
        for (JsonNode d : defs) {
            String name = d.get("name").asText();
            specs.add(switch (d.get("type").asText()) {
                case "bool" -> FlagSpec.bool(name, d.get("default").asBoolean());
                case "string" -> FlagSpec.string(name, d.get("default").asText());
                case "strings" -> FlagSpec.strings(name);
                default -> throw new IllegalArgumentException("flag type " + d.get("type"));
            });
        }
        return specs;
    }

    /** Checks the "ok" fields of a case against the typed result. */
    static final class ExpectedFields {

        private ExpectedFields() {
        }

        static void verify(JsonNode expect, Object result) {
            boolean checked = false;
            if (expect.has("type")) {
                Instruction instruction = assertInstanceOf(Instruction.class, result);
                assertEquals(expect.get("type").asText(), instruction.kind());
                checked = true;
            }
            if (expect.has("flags_used")) {
                assertEquals(strings(expect.get("flags_used")), ((RunInstruction) result).flagsUsed());
            }
            if (expect.has("cmd_line")) {
                CommandLine command = ((RunInstruction) result).command();
                assertEquals(strings(expect.get("cmd_line")), command.values());
                assertEquals(expect.get("prepend_shell").asBoolean(), command.prependShell());
                List<List<Object>> files = new ArrayList<>();
                expect.get("files").forEach(f -> files.add(List.of(f.get("name").asText(), f.get("data").asText(),
                        f.get("chomp").asBoolean())));
                assertEquals(files, command.files().stream()
                        .map(f -> List.<Object>of(f.name(), f.data(), f.chomp())).toList());
            }
            if (expect.has("dest")) {
                SourcesAndDest files = ((CopyInstruction) result).files();
                assertEquals(expect.get("dest").asText(), files.dest().text());
                assertEquals(strings(expect.get("source_paths")),
                        files.sourcePaths().stream().map(Word::text).toList());
                List<List<Object>> contents = new ArrayList<>();
                expect.get("source_contents").forEach(s -> contents.add(List.of(s.get("path").asText(),
                        s.get("data").asText(), s.get("expand").asBoolean())));
                assertEquals(contents, files.sourceContents().stream()
                        .map(s -> List.<Object>of(s.path(), s.data(), s.expand())).toList());
            }
            if (expect.has("health_test")) {
                assertEquals(strings(expect.get("health_test")),
                        ((HealthcheckInstruction) result).health().test());
                checked = true;
            }
            if (expect.has("name")) {
                Device device = (Device) result;
                assertEquals(expect.get("name").asText(), device.name());
                assertEquals(expect.get("required").asBoolean(), device.required());
                checked = true;
            }
            if (expect.has("values") || expect.has("used") || expect.has("used_sorted")) {
                ParsedFlags flags = (ParsedFlags) result;
                expect.path("values").fields().forEachRemaining(e -> assertEquals(e.getValue().asText(),
                        flags.value(e.getKey()), "flag " + e.getKey()));
                if (expect.has("used")) {
                    assertEquals(strings(expect.get("used")), flags.used());
                }
                if (expect.has("used_sorted")) {
                    assertEquals(strings(expect.get("used_sorted")), flags.used().stream().sorted().toList());
                }
                checked = true;
            }
            if (expect.has("stages")) {
                verifyDockerfile(expect, (Dockerfile) result);
                checked = true;
            }
            if (!checked) {
                // cases that only state success: the result must at least exist
                assertTrue(result != null, "no result");
            }
        }

        private static void verifyDockerfile(JsonNode expect, Dockerfile dockerfile) {
            JsonNode stages = expect.get("stages");
            assertEquals(stages.size(), dockerfile.stages().size());
            for (int i = 0; i < stages.size(); i++) {
                JsonNode s = stages.get(i);
                Stage stage = dockerfile.stages().get(i);
                assertEquals(s.get("name").asText(), stage.name().orElse(""));
                assertEquals(s.get("doc_comment").asText(), stage.docComment());
                JsonNode commands = s.get("commands");
                assertEquals(commands.size(), stage.commands().size());
                for (int j = 0; j < commands.size(); j++) {
                    Instruction command = stage.commands().get(j);
                    assertEquals(commands.get(j).get("type").asText(), command.kind());
                    verifyArgs(commands.get(j).get("args"), (ArgInstruction) command);
                }
            }
            JsonNode meta = expect.get("meta_args");
            assertEquals(meta.size(), dockerfile.metaArgs().size());
            for (int i = 0; i < meta.size(); i++) {
                verifyArgs(meta.get(i).get("args"), dockerfile.metaArgs().get(i));
            }
        }

        private static void verifyArgs(JsonNode args, ArgInstruction arg) {
            assertEquals(args.size(), arg.args().size());
            for (int k = 0; k < args.size(); k++) {
                assertEquals(args.get(k).get("key").asText(), arg.args().get(k).key());
                assertEquals(args.get(k).get("doc_comment").asText(), arg.args().get(k).docComment());
            }
        }
    }
}
