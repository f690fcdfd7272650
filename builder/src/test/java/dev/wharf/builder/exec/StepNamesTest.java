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

    @Test
    void namesAreExpandedWithTheStepsEnvironment_asBuildKitShowsVertices() throws Exception {
        String dockerfile = """
                FROM scratch
                ARG VERSION=1.2.3
                ENV DIR=/opt/app
                workdir $DIR/"x"
                COPY ${DIR}/a "$VERSION" /
                run echo "$VERSION" '$DIR' ${UNSET} $TOKEN
                RUN --mount=type=secret,id=t,env=TOKEN echo $TOKEN
                """;
        dev.wharf.builder.plan.BuildPlan plan = new dev.wharf.builder.plan.Planner(
                (reference, platform) -> { throw new AssertionError("no image: " + reference); })
                .plan(DockerfileReader.read(DockerfileParser.parse(dockerfile)),
                        dev.wharf.builder.plan.PlanRequest.of(dev.wharf.builder.plan.Platform.of("linux", "amd64",
                                "")));
        List<dev.wharf.builder.plan.Step> steps = plan.stages().get(0).steps();
        String[] lines = dockerfile.split("\n");
        // WORKDIR and COPY: words, quotes removed; RUN: quotes and unknown variables kept, secrets masked.
        assertEquals("WORKDIR /opt/app/x", StepNames.of(steps.get(2), lines[3], '\\'));
        assertEquals("COPY /opt/app/a 1.2.3 /", StepNames.of(steps.get(3), lines[4], '\\'));
        assertEquals("RUN echo \"1.2.3\" '$DIR' ${UNSET} $TOKEN", StepNames.of(steps.get(4), lines[5], '\\'));
        assertEquals("RUN --mount=type=secret,id=t,env=TOKEN echo ****", StepNames.of(steps.get(5), lines[6], '\\'));
    }

    @Test
    void copyOfHeredocs_isNamedByItsLineExpanded_withoutTheBodiesWhoseQuotesWouldStopTheExpansion() throws Exception {
        // BuildKit 0.13 (the peer) shows `COPY --chmod=0755 <<EOF /dst/x` and `ADD <<EOF /dst/y` for these.
        String dockerfile = """
                FROM scratch
                ENV D=/dst
                COPY --chmod=0755 <<"EOF" $D/x
                it's
                EOF
                ADD <<'EOF' $D/y
                printf '%s\n' "$1
                EOF
                """;
        dev.wharf.builder.plan.BuildPlan plan = new dev.wharf.builder.plan.Planner(
                (reference, platform) -> { throw new AssertionError("no image: " + reference); })
                .plan(DockerfileReader.read(DockerfileParser.parse(dockerfile)),
                        dev.wharf.builder.plan.PlanRequest.of(dev.wharf.builder.plan.Platform.of("linux", "amd64",
                                "")));
        List<dev.wharf.builder.plan.Step> steps = plan.stages().get(0).steps();
        DockerfileText text = DockerfileText.of("Dockerfile", dockerfile);
        assertEquals("COPY --chmod=0755 <<EOF /dst/x", StepNames.of(steps.get(1), text.text(steps.get(1)), '\\'));
        assertEquals("ADD <<EOF /dst/y", StepNames.of(steps.get(2), text.text(steps.get(2)), '\\'));
    }
}
