package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineException;
import dev.wharf.context.sources.NamedContext;
import dev.wharf.context.sources.NamedContextSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request's named contexts are classified by the context module's parser, relative paths against the request's
 * base directory, so the Maven goal (base: the project) and the CLI (base: the working directory) read every value
 * form alike.
 */
class NamedContextsParseTest {
    @TempDir
    Path base;

    @Test
    void relativeDirectory_andRelativeOciLayout_resolveAgainstTheRequestsBase() throws Exception {
        Files.createDirectories(base.resolve("deps"));
        BuildRequest request = BuildRequest.builder(base).namedContextBase(base)
                .namedContext("deps", "deps").namedContext("img", "oci-layout://layout:v1").build();
        Map<String, NamedContext> parsed = NamedContexts.parse(request.namedContexts(), request.namedContextBase());
        assertEquals(base.resolve("deps"),
                assertInstanceOf(NamedContextSource.Local.class, parsed.get("deps").source()).directory());
        NamedContextSource.OciLayout layout = assertInstanceOf(NamedContextSource.OciLayout.class,
                parsed.get("img").source());
        assertEquals(base.resolve("layout"), layout.directory());
        assertEquals("v1", layout.tag());
    }

    @Test
    void aFolderNamedLikeAGithubPath_isAGitUrl_asInTheCli() throws Exception {
        // buildx and BuildKit read github.com/ORG/REPO as a git remote even when such a folder exists.
        Files.createDirectories(base.resolve("github.com/x/y"));
        Map<String, NamedContext> parsed = NamedContexts.parse(Map.of("src", "github.com/x/y"), base);
        assertInstanceOf(NamedContextSource.Git.class, parsed.get("src").source());
    }

    @Test
    void aMissingRelativeDirectory_failsNamingTheValue() {
        EngineException e = assertThrows(EngineException.class,
                () -> NamedContexts.parse(Map.of("deps", "nope"), base));
        assertTrue(e.getMessage().contains("--build-context deps=nope: failed to get build context deps: stat nope:"
                + " no such file or directory"), e.getMessage());
    }

    @Test
    void theBaseDefaultsToTheWorkingDirectory_andARelativeOneIsMadeAbsolute() {
        assertEquals(Path.of("").toAbsolutePath(), BuildRequest.builder(base).build().namedContextBase());
        assertEquals(Path.of("rel").toAbsolutePath(),
                BuildRequest.builder(base).namedContextBase(Path.of("rel")).build().namedContextBase());
    }
}
