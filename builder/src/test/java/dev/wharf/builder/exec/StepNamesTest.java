package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Step names as BuildKit names its vertexes. */
class StepNamesTest {
    private static List<Instruction> commands(String dockerfile) throws Exception {
        return DockerfileReader.read("Dockerfile", DockerfileParser.parse("Dockerfile", dockerfile)).stages().get(0)
                .commands();
    }

    @Test
    void heredocRun_isNamedByItsFirstLineAndASummary_otherStepsByTheirText() throws Exception {
        List<Instruction> commands = commands("FROM busybox\nRUN <<EOF\nset -e\necho hi\nEOF\n"
                + "RUN <<-'ONE'\n\techo one\nONE\nRUN cat <<A <<B > f\na\nA\nb\nB\nRUN echo plain\n");
        assertEquals("RUN <<EOF (set -e...)", StepNames.of(commands.get(0), "RUN <<EOF\nset -e\necho hi\nEOF"));
        assertEquals("RUN <<-'ONE' (echo one)", StepNames.of(commands.get(1), "ignored"));
        assertEquals("RUN cat <<A <<B > f", StepNames.of(commands.get(2), "ignored"));
        assertEquals("RUN echo plain", StepNames.of(commands.get(3), "RUN echo plain"));
    }
}
