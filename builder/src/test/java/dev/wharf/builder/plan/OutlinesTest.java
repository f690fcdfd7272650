package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildOutline;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BuildKit's outline bookkeeping (dockerfile2llb/outline.go, convert.go) on the typed Dockerfile. */
class OutlinesTest {
    private static BuildOutline outline(String text, Map<String, String> args, String target) throws Exception {
        return outline(text, args, target, FixedResolver.anyImage());
    }

    private static BuildOutline outline(String text, Map<String, String> args, String target,
                                        ImageConfigResolver images) throws Exception {
        PlanRequest request = PlanRequest.of(FixedResolver.HOST).withBuildArgs(args);
        return new Planner(images).outline(text, DockerfileReader.read("Dockerfile",
                DockerfileParser.parse("Dockerfile", text)), target == null ? request : request.withTarget(target));
    }

    @Test
    void aBaseStagesArgs_andWhatAMetaArgsDefaultReads_areListed_oncePerName() throws Exception {
        BuildOutline o = outline("""
                ARG REPO=example
                ARG REPO=${REPO}/app
                ARG TAG
                FROM ${REPO}:${TAG} AS base
                ARG LEVEL=1
                ENV HOME=/home/app
                ARG DIR=$HOME/data
                FROM base
                ARG LEVEL=2
                RUN --mount=type=secret,source=npm --mount=type=ssh,id=git,required true
                """, Map.of("TAG", "1.0"), null);
        assertEquals("", o.name());
        assertEquals(List.of(new BuildOutline.Arg("REPO", "example/app", "", 2, 2),
                new BuildOutline.Arg("TAG", "1.0", "", 3, 3), new BuildOutline.Arg("DIR", "/home/app/data", "", 7, 7),
                new BuildOutline.Arg("LEVEL", "2", "", 9, 9)), o.args());
        assertEquals(List.of(new BuildOutline.Mounted("npm", false, 10, 10)), o.secrets());
        assertEquals(List.of(new BuildOutline.Mounted("git", true, 10, 10)), o.ssh());
    }

    @Test
    void argDefaults_readTheBaseImagesEnvironment_andPathWhenTheImageHasNone() throws Exception {
        // convert.go dispatchStages seeds a stage's state with its base image's Env (PATH added when missing)
        // before its ARGs are dispatched.
        FixedResolver images = FixedResolver.of()
                .with("app:1", ImageConfig.empty().withEnv(List.of("HOME=/home/app", "PATH=/app/bin")))
                .with("bare:1", ImageConfig.empty());
        String dockerfile = """
                FROM app:1 AS app
                ARG DATA=$HOME/data
                ARG TOOLS=${PATH}:/tools
                FROM bare:1 AS bare
                ARG P=$PATH
                FROM app AS derived
                ENV HOME=/srv
                ARG LOGS=$HOME/logs
                """;
        BuildOutline app = outline(dockerfile, Map.of(), "app", images);
        assertEquals(List.of("DATA=/home/app/data", "TOOLS=/app/bin:/tools"),
                app.args().stream().map(a -> a.name() + "=" + a.value()).toList());
        // Only the stages the target needs are resolved, as in BuildKit.
        assertEquals(List.of("app:1"), images.lookups());
        assertEquals(List.of("P=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                outline(dockerfile, Map.of(), "bare", images).args().stream()
                        .map(a -> a.name() + "=" + a.value()).toList());
        // A stage on a stage starts from that stage's environment, its ENV lines included.
        assertEquals(List.of("DATA=/home/app/data", "TOOLS=/app/bin:/tools", "LOGS=/srv/logs"),
                outline(dockerfile, Map.of(), "derived", images).args().stream()
                        .map(a -> a.name() + "=" + a.value()).toList());
        assertEquals(dockerfile, app.source());
    }

    @Test
    void aBaseImageThatCannotBeResolved_failsTheOutline_atItsFrom() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> outline("FROM nosuch:1\nARG A=1\n", Map.of(), null, FixedResolver.of()));
        assertEquals(1, e.range().orElseThrow().start().line());
        assertTrue(e.reason().startsWith("nosuch:1: pull access denied"), e.reason());
    }
}
