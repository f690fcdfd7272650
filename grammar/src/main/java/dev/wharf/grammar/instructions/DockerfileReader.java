package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Node;
import dev.wharf.grammar.parser.ParseResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups the typed instructions of a parsed Dockerfile into meta ARGs and stages: BuildKit's
 * {@code instructions.Parse}. An instruction other than ARG before the first FROM is an error
 * ("no build stage in current context").
 *
 * <p>Stateless and thread-safe.
 */
public final class DockerfileReader {

    private DockerfileReader() {
    }

    /** Reads {@code result}; errors name the file {@code Dockerfile}. */
    public static Dockerfile read(ParseResult result) throws DockerfileException {
        return read("Dockerfile", result);
    }

    /** Reads {@code result}, parsed from {@code file}. */
    public static Dockerfile read(String file, ParseResult result) throws DockerfileException {
        List<ArgInstruction> metaArgs = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        FromInstruction from = null;
        List<Instruction> commands = new ArrayList<>();
        for (Node node : result.children()) {
            Instruction instruction = InstructionReader.parse(file, node);
            if (instruction instanceof FromInstruction next) {
                if (from != null) {
                    stages.add(stage(stages.size(), from, commands));
                }
                from = next;
                commands = new ArrayList<>();
            } else if (from != null) {
                commands.add(instruction);
            } else if (instruction instanceof ArgInstruction arg) {
                metaArgs.add(arg);
            } else {
                throw new DockerfileException(file, node.range(), "no build stage in current context");
            }
        }
        if (from != null) {
            stages.add(stage(stages.size(), from, commands));
        }
        return new Dockerfile(result.directives(), metaArgs, stages, result.warnings());
    }

    private static Stage stage(int index, FromInstruction from, List<Instruction> commands) {
        Position start = from.range().start();
        Position end = from.range().end();
        for (Instruction command : commands) {
            if (command.range().end().compareTo(end) > 0) {
                end = command.range().end();
            }
        }
        return new Stage(index, from, commands, new SourceRange(start, end));
    }
}
