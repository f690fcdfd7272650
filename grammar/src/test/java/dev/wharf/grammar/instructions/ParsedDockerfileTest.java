package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.Position;
import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The instruction layer fed by the real parser: typed values and the positions errors point at. */
class ParsedDockerfileTest {

    private static Dockerfile read(String text) throws DockerfileException {
        return DockerfileReader.read(DockerfileParser.parse(text));
    }

    private static DockerfileException failure(String text) {
        return assertThrows(DockerfileException.class, () -> read(text));
    }

    @Test
    void multiStageFileWithFlagsHeredocsAndOnbuild() throws DockerfileException {
        Dockerfile df = read("""
                # syntax=docker/dockerfile:1
                ARG BASE=alpine
                # build compiles
                FROM --platform=$BUILDPLATFORM ${BASE} AS Build
                RUN --mount=type=cache,target=/c \\
                    --network=none make
                ONBUILD RUN <<EOF
                echo hi
                EOF
                COPY --from=build --chmod=755 <<-EOT /app/x
                \tscript
                EOT
                FROM scratch
                HEALTHCHECK --interval=5s CMD ["curl","x"]
                """);
        assertEquals(Optional.of("docker/dockerfile:1"), df.directives().syntax());
        assertEquals("BASE", df.metaArgs().get(0).args().get(0).key());
        Stage build = df.stages().get(0);
        assertEquals(Optional.of("build"), build.name());
        assertEquals("compiles", build.docComment());
        assertEquals("${BASE}", build.baseName().text());
        assertEquals("$BUILDPLATFORM", build.platform().orElseThrow().text());
        assertEquals(SourceRange.ofLines(4, 12), build.range());

        RunInstruction run = (RunInstruction) build.commands().get(0);
        assertEquals(NetworkMode.NONE, run.network());
        assertEquals(List.of("make"), run.command().values());
        assertEquals("/c", run.literalMounts().get(0).target());

        OnbuildInstruction onbuild = (OnbuildInstruction) build.commands().get(1);
        assertEquals("RUN <<EOF\necho hi\nEOF", onbuild.expression());

        CopyInstruction copy = (CopyInstruction) build.commands().get(2);
        assertEquals("build", copy.from().orElseThrow().text());
        assertEquals(List.of(new SourceContent("EOT", "script\n", true, copy.files().sourceContents().get(0).range())),
                copy.files().sourceContents());
        assertEquals(new Position(10, 38), copy.files().dest().range().start());

        HealthcheckInstruction health = (HealthcheckInstruction) df.stages().get(1).commands().get(0);
        assertEquals(List.of("CMD", "curl", "x"), health.health().test());
        assertEquals(1, df.stages().get(1).index());
    }

    @Test
    void envAndLabelValuesStayRaw() throws DockerfileException {
        Stage stage = read("FROM a\nENV A=\"x y\" B='$z'\nLABEL old form value\n").stages().get(0);
        EnvInstruction env = (EnvInstruction) stage.commands().get(0);
        assertEquals(List.of("\"x y\"", "'$z'"), env.pairs().stream().map(KeyValue::value).map(Word::text).toList());
        LabelInstruction label = (LabelInstruction) stage.commands().get(1);
        assertEquals("form value", label.labels().get(0).value().text());
        assertEquals(true, label.labels().get(0).noDelimiter());
    }

    @Test
    void errorsPointAtTheWordAtFault() {
        DockerfileException flag = failure("FROM a\nRUN --netwrk=none x\n");
        assertEquals("unknown flag: --netwrk (did you mean network?)", flag.reason());
        assertEquals(new Position(2, 5), flag.range().orElseThrow().start());

        DockerfileException keyword = failure("FROM a\n  FRUM x\n");
        assertEquals("unknown instruction: FRUM (did you mean FROM?)", keyword.reason());
        assertEquals(new Position(2, 3), keyword.range().orElseThrow().start());
        assertEquals("Dockerfile:2:3: unknown instruction: FRUM (did you mean FROM?)", keyword.getMessage());

        DockerfileException stage = failure("FROM a AS 9x\n");
        assertEquals(new Position(1, 11), stage.range().orElseThrow().start());

        DockerfileException mount = failure("FROM a\nRUN --mount=from=$X x\n");
        assertEquals(new Position(2, 5), mount.range().orElseThrow().start());
    }

    @Test
    void onlyArgMayPrecedeTheFirstFrom() {
        DockerfileException e = failure("ARG A\nRUN x\nFROM a\n");
        assertEquals("no build stage in current context", e.reason());
        assertEquals(SourceRange.ofLines(2, 2), e.range().orElseThrow());
    }
}
