package dev.wharf.context.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamedContextTest {

    private static final String HEX = "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "alpine=docker-image://alpine:3.20, alpine",
        "docker.io/library/alpine:latest=docker-image://alpine, alpine",
        "alpine:3.20=docker-image://alpine, alpine:3.20",
        "ghcr.io/org/base=docker-image://alpine, ghcr.io/org/base",
        "docker.io/org/base=docker-image://alpine, org/base",
    })
    void theNameIsNormalizedLikeAnImageName(String value, String name) throws Exception {
        assertEquals(name, NamedContext.parse(value, tmp).name());
    }

    @Test
    void dockerImage_keepsTheReferenceAsWritten() throws Exception {
        var src = NamedContext.parse("base=docker-image://alpine:3.20@sha256:" + HEX, tmp).source();
        assertEquals(new NamedContextSource.DockerImage("alpine:3.20@sha256:" + HEX), src);
        assertTrue(((NamedContextSource.DockerImage) NamedContext.parse("b=docker-image://scratch", tmp).source())
                .isScratch());
    }

    @Test
    void ociLayout_splitsDirectoryTagAndDigest() throws Exception {
        assertEquals(new NamedContextSource.OciLayout(tmp.resolve("layout"), "latest", Optional.empty()),
                NamedContext.parse("b=oci-layout://layout", tmp).source());
        assertEquals(new NamedContextSource.OciLayout(Path.of("/abs/layout"), "v2", Optional.of("sha256:" + HEX)),
                NamedContext.parse("b=oci-layout:///abs/layout:v2@sha256:" + HEX, tmp).source());
    }

    @Test
    void gitAndUrlAndLocalValues_areTyped() throws Exception {
        var git = NamedContext.parse("src=https://github.com/moby/buildkit.git#v0.12:docs", tmp).source();
        assertEquals(new NamedContextSource.Git(new GitRemote("https://github.com/moby/buildkit.git", "v0.12",
                "docs")), git);
        assertInstanceOf(NamedContextSource.Git.class, NamedContext.parse("s=git@github.com:o/r.git", tmp).source());
        assertEquals(new NamedContextSource.Url("https://example.com/ctx.tar.gz"),
                NamedContext.parse("s=https://example.com/ctx.tar.gz", tmp).source());
        Files.createDirectory(tmp.resolve("dir"));
        assertEquals(new NamedContextSource.Local(tmp.resolve("dir")), NamedContext.parse("s=dir", tmp).source());
    }

    @Test
    void aLaterValueForTheSameName_wins() throws Exception {
        Map<String, NamedContext> all = NamedContext.parseAll(List.of("alpine=docker-image://a",
                "docker.io/library/alpine=docker-image://b"), tmp);
        assertEquals(1, all.size());
        assertEquals(new NamedContextSource.DockerImage("b"), all.get("alpine").source());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "novalue|invalid context value: novalue, expected key=value",
        "Foo=docker-image://a|invalid context name Foo: invalid reference format: repository name (library/Foo) must be"
                + " lowercase",
        "a=oci-layout://l@sha256:abc|invalid checksum digest length",
        "a=oci-layout://l@md5:0123456789abcdef0123456789abcdef|unsupported digest algorithm",
        "a=oci-layout://l@sha256|invalid checksum digest format",
        "a=foo://x|failed to get build context a: stat foo://x: no such file or directory",
        "a=missing|failed to get build context a: stat missing: no such file or directory",
    })
    void badValues_failWithBuildxWording(String value, String message) {
        ContextException e = assertThrows(ContextException.class, () -> NamedContext.parse(value, tmp));
        assertEquals(message, e.getMessage());
    }

    /** buildx 0.13.1 builds with an unused {@code a=docker-image://Alpine}: the frontend parses it only on use. */
    @Test
    void aDockerImageReference_isNotParsedUntilUsed() throws Exception {
        assertEquals(new NamedContextSource.DockerImage("Alpine"),
                NamedContext.parse("a=docker-image://Alpine", tmp).source());
        assertEquals(new NamedContextSource.DockerImage(""), NamedContext.parse("a=docker-image://", tmp).source());
    }

    @Test
    void aLocalFile_isNotADirectory() throws Exception {
        Files.writeString(tmp.resolve("f"), "x");
        ContextException e = assertThrows(ContextException.class, () -> NamedContext.parse("a=f", tmp));
        assertEquals("failed to get build context path f: not a directory", e.getMessage());
    }
}
