package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FrontendSyntaxTest {
    private static final String BODY = "FROM busybox\nRUN echo ok\n";

    @ParameterizedTest
    @ValueSource(strings = {"docker/dockerfile:1", "docker/dockerfile:1.4", "docker/dockerfile:1-labs",
            "docker/dockerfile", "docker/dockerfile:experimental", "docker/dockerfile-upstream:master-labs",
            "docker.io/docker/dockerfile:1@sha256:ac85f380a63b13dfcefa89046420e1781752bab202122f8f50032edf31be0021",
            "docker.io/docker/dockerfile@sha256:ac85f380a63b13dfcefa89046420e1781752bab202122f8f50032edf31be0021"})
    void dockersOwnFrontend_buildsWithTheBuiltInOne(String ref) {
        assertTrue(FrontendSyntax.builtIn(ref), ref);
        assertDoesNotThrow(() -> FrontendSyntax.check("Dockerfile", "# syntax=" + ref + "\n" + BODY, Map.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com/my/frontend:2", "tonistiigi/dockerfile:runmount", "docker/dockerfilex:1",
            "localhost:5000/docker/dockerfile:1", "mydocker/dockerfile:1"})
    void anyOtherFrontend_isRefused(String ref) {
        assertFalse(FrontendSyntax.builtIn(ref), ref);
    }

    @Test
    void anUnknownDirective_failsAtItsLine_namingTheFrontend() {
        DockerfileException e = assertThrows(DockerfileException.class, () -> FrontendSyntax.check("Dockerfile",
                "# escape=`\n# syntax=example.com/my/frontend:2 --flag\n" + BODY, Map.of()));
        assertEquals("unsupported frontend example.com/my/frontend:2: wharf cannot run frontend images, only its"
                + " built-in Dockerfile frontend (docker/dockerfile, any tag); remove the syntax directive to build"
                + " with it", e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
    }

    @Test
    void theBuildArg_winsOverTheDirective_bothWays() {
        String foreign = "# syntax=example.com/my/frontend:2\n" + BODY;
        assertDoesNotThrow(() -> FrontendSyntax.check("Dockerfile", foreign,
                Map.of("BUILDKIT_SYNTAX", "docker/dockerfile:1-labs")));
        DockerfileException e = assertThrows(DockerfileException.class, () -> FrontendSyntax.check("Dockerfile",
                "# syntax=docker/dockerfile:1\n" + BODY, Map.of("BUILDKIT_SYNTAX", "example.com/x:1")));
        assertTrue(e.reason().endsWith("unset the BUILDKIT_SYNTAX build arg to build with it"), e.reason());
        assertTrue(e.range().isEmpty());
    }

    @Test
    void noDirective_andTheJsonAndSlashForms_areRead() {
        assertDoesNotThrow(() -> FrontendSyntax.check("Dockerfile", BODY, Map.of()));
        assertThrows(DockerfileException.class, () -> FrontendSyntax.check("Dockerfile",
                "// syntax=example.com/x:1\n" + BODY, Map.of()));
    }
}
