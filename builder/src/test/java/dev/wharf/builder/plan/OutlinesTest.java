package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildOutline;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BuildKit's outline bookkeeping (dockerfile2llb/outline.go, convert.go) on the typed Dockerfile. */
class OutlinesTest {
    private static BuildOutline outline(String text, Map<String, String> args, String target) throws Exception {
        return Outlines.outline("Dockerfile", DockerfileReader.read("Dockerfile",
                DockerfileParser.parse("Dockerfile", text)), args, Optional.ofNullable(target),
                Platform.of("linux", "amd64", ""));
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
}
