package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tables modelled on distribution/reference's {@code normalize_test.go} and {@code reference_test.go}: every input
 * is parsed with {@link ImageReference#parse} (Docker's {@code ParseNormalizedNamed}) and compared field by field,
 * or its error text compared with Docker's.
 */
class ImageReferenceTest {
    private static final String FF = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    private static final String HEX64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

    /** input, canonical string, domain, path, tag (or null), digest (or null), familiar string. */
    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("ubuntu", "docker.io/library/ubuntu", "docker.io", "library/ubuntu", null, null, "ubuntu"),
                Arguments.of("ubuntu:22.04", "docker.io/library/ubuntu:22.04", "docker.io", "library/ubuntu", "22.04",
                        null, "ubuntu:22.04"),
                Arguments.of("library/ubuntu", "docker.io/library/ubuntu", "docker.io", "library/ubuntu", null, null,
                        "ubuntu"),
                Arguments.of("docker.io/ubuntu", "docker.io/library/ubuntu", "docker.io", "library/ubuntu", null,
                        null, "ubuntu"),
                Arguments.of("docker.io/library/foo", "docker.io/library/foo", "docker.io", "library/foo", null, null,
                        "foo"),
                Arguments.of("index.docker.io/fooo/bar", "docker.io/fooo/bar", "docker.io", "fooo/bar", null, null,
                        "fooo/bar"),
                Arguments.of("index.docker.io/library/ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base",
                        "docker.io", "library/ubuntu-12.04-base", null, null, "ubuntu-12.04-base"),
                Arguments.of("fooo/bar", "docker.io/fooo/bar", "docker.io", "fooo/bar", null, null, "fooo/bar"),
                Arguments.of("nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu",
                        null, null, "nonlibrary/ubuntu"),
                Arguments.of("other/library", "docker.io/other/library", "docker.io", "other/library", null, null,
                        "other/library"),
                Arguments.of("library/foo/bar", "docker.io/library/foo/bar", "docker.io", "library/foo/bar", null,
                        null, "library/foo/bar"),
                Arguments.of("store/foo/bar", "docker.io/store/foo/bar", "docker.io", "store/foo/bar", null, null,
                        "store/foo/bar"),
                Arguments.of("localhost/fooo", "localhost/fooo", "localhost", "fooo", null, null, "localhost/fooo"),
                Arguments.of("localhost/fooo/bar", "localhost/fooo/bar", "localhost", "fooo/bar", null, null,
                        "localhost/fooo/bar"),
                Arguments.of("localhost:5000/app:1.0", "localhost:5000/app:1.0", "localhost:5000", "app", "1.0", null,
                        "localhost:5000/app:1.0"),
                Arguments.of("LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN", "fooo", null, null,
                        "LOCALDOMAIN/fooo"),
                Arguments.of("Foo/bar", "Foo/bar", "Foo", "bar", null, null, "Foo/bar"),
                Arguments.of("FOO/bar", "FOO/bar", "FOO", "bar", null, null, "FOO/bar"),
                Arguments.of("127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000",
                        "private/moonbase", null, null, "127.0.0.1:8000/private/moonbase"),
                Arguments.of("127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000",
                        "privatebase", null, null, "127.0.0.1:8000/privatebase"),
                Arguments.of("example.com/private/moonbase", "example.com/private/moonbase", "example.com",
                        "private/moonbase", null, null, "example.com/private/moonbase"),
                Arguments.of("example.com:8000/privatebasee", "example.com:8000/privatebasee", "example.com:8000",
                        "privatebasee", null, null, "example.com:8000/privatebasee"),
                // A single component is never a host: "test.com:5000" is repository test.com with tag 5000.
                Arguments.of("test.com:5000", "docker.io/library/test.com:5000", "docker.io", "library/test.com",
                        "5000", null, "test.com:5000"),
                Arguments.of("test_com", "docker.io/library/test_com", "docker.io", "library/test_com", null, null,
                        "test_com"),
                Arguments.of("test:5000/repo", "test:5000/repo", "test:5000", "repo", null, null, "test:5000/repo"),
                Arguments.of("test:5000/repo@sha256:" + FF, "test:5000/repo@sha256:" + FF, "test:5000", "repo", null,
                        "sha256:" + FF, "test:5000/repo@sha256:" + FF),
                Arguments.of("test:5000/repo:tag@sha256:" + FF, "test:5000/repo:tag@sha256:" + FF, "test:5000",
                        "repo", "tag", "sha256:" + FF, "test:5000/repo:tag@sha256:" + FF),
                Arguments.of("busybox@sha256:" + FF, "docker.io/library/busybox@sha256:" + FF, "docker.io",
                        "library/busybox", null, "sha256:" + FF, "busybox@sha256:" + FF),
                Arguments.of("lowercase:Uppercase", "docker.io/library/lowercase:Uppercase", "docker.io",
                        "library/lowercase", "Uppercase", null, "lowercase:Uppercase"),
                Arguments.of("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com",
                        "bar/baz/quux", null, null, "sub-dom1.foo.com/bar/baz/quux"),
                Arguments.of("sub-dom1.foo.com/bar/baz/quux:some-long-tag",
                        "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
                        "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", null,
                        "sub-dom1.foo.com/bar/baz/quux:some-long-tag"),
                Arguments.of("b.gcr.io/test.example.com/my-app:test.example.com",
                        "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
                        "test.example.com", null, "b.gcr.io/test.example.com/my-app:test.example.com"),
                Arguments.of("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com",
                        "myimage", "xn--n3h.com", null, "xn--n3h.com/myimage:xn--n3h.com"),
                Arguments.of("[2001:db8::1]/repo", "[2001:db8::1]/repo", "[2001:db8::1]", "repo", null, null,
                        "[2001:db8::1]/repo"),
                Arguments.of("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000",
                        "repo", "tag", null, "[2001:db8::1]:5000/repo:tag"),
                Arguments.of("[::1]:5000/repo", "[::1]:5000/repo", "[::1]:5000", "repo", null, null,
                        "[::1]:5000/repo"),
                Arguments.of("192.168.0.1", "docker.io/library/192.168.0.1", "docker.io", "library/192.168.0.1", null,
                        null, "192.168.0.1"),
                Arguments.of("192.168.0.1:80", "docker.io/library/192.168.0.1:80", "docker.io",
                        "library/192.168.0.1", "80", null, "192.168.0.1:80"),
                Arguments.of("docker.io/" + HEX64, "docker.io/library/" + HEX64, "docker.io", "library/" + HEX64,
                        null, null, HEX64),
                Arguments.of("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
                        "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
                        "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", null,
                        null, "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"),
                Arguments.of("docker---rules/docker", "docker.io/docker---rules/docker", "docker.io",
                        "docker---rules/docker", null, null, "docker---rules/docker"),
                Arguments.of("dock__er/docker", "docker.io/dock__er/docker", "docker.io", "dock__er/docker", null,
                        null, "dock__er/docker"),
                Arguments.of("example.com/" + "a".repeat(255) + ":tag", "example.com/" + "a".repeat(255) + ":tag",
                        "example.com", "a".repeat(255), "tag", null, "example.com/" + "a".repeat(255) + ":tag"),
                Arguments.of("repo:" + "t".repeat(128), "docker.io/library/repo:" + "t".repeat(128), "docker.io",
                        "library/repo", "t".repeat(128), null, "repo:" + "t".repeat(128)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("valid")
    void parse_normalizesLikeDocker(String input, String canonical, String domain, String path, String tag,
            String digest, String familiar) throws InvalidReferenceException {
        ImageReference ref = ImageReference.parse(input);
        assertEquals(canonical, ref.toString(), "canonical");
        assertEquals(domain, ref.domain(), "domain");
        assertEquals(path, ref.path(), "path");
        assertEquals(tag, ref.tag().orElse(null), "tag");
        assertEquals(digest, ref.digest().map(Object::toString).orElse(null), "digest");
        assertEquals(familiar, ref.familiar(), "familiar");
        assertEquals(ref, ImageReference.parse(ref.toString()), "canonical form parses to the same reference");
    }

    /** input, Docker's error text. */
    static Stream<Arguments> invalid() {
        String format = "invalid reference format";
        return Stream.of(
                Arguments.of("", format),
                Arguments.of(":justtag", format),
                Arguments.of("@sha256:" + FF, format),
                Arguments.of("https://github.com/docker/docker", format),
                Arguments.of("docker///docker", format),
                Arguments.of("docker.io/docker///docker", format),
                Arguments.of("-docker", format),
                Arguments.of("-docker/docker", format),
                Arguments.of("-docker.io/docker/docker", format),
                Arguments.of("docker-/docker", format),
                Arguments.of("____/____", format),
                Arguments.of("_docker/_docker", format),
                Arguments.of("dock..er/docker", format),
                Arguments.of("dock_.er/docker", format),
                Arguments.of("dock-.er/docker", format),
                Arguments.of("docker/", format),
                Arguments.of("aa/asdf$$^/aa", format),
                Arguments.of("[fc00::1]", format),
                Arguments.of("[fc00::1]:5000", format),
                Arguments.of("fc00::1:5000/debian", format),
                Arguments.of("[fe80::1%eth0]:5000/debian", format),
                Arguments.of("[2001:db8:3:4::192.0.2.33]:5000/debian", format),
                Arguments.of("[2001:db8::1]:tag", format),
                Arguments.of("repo:" + "t".repeat(129), format),
                Arguments.of("repo:-tag", format),
                Arguments.of("docker/Docker",
                        "invalid reference format: repository name (docker/Docker) must be lowercase"),
                Arguments.of("Uppercase:tag",
                        "invalid reference format: repository name (library/Uppercase) must be lowercase"),
                Arguments.of("docker.io/docker/Docker",
                        "invalid reference format: repository name (docker/Docker) must be lowercase"),
                Arguments.of("test:5000/Uppercase/lowercase:tag",
                        "invalid reference format: repository name (Uppercase/lowercase) must be lowercase"),
                Arguments.of(HEX64, "invalid repository name (" + HEX64
                        + "), cannot specify 64-byte hexadecimal strings"),
                Arguments.of("domain/" + "a".repeat(256) + ":tag",
                        "repository name must not be more than 255 characters"),
                Arguments.of("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_".repeat(3)
                        + "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
                        "repository name must not be more than 255 characters"),
                Arguments.of("a/" + "b".repeat(254), "repository name must not be more than 255 characters"),
                Arguments.of("repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid checksum digest length"),
                Arguments.of("validname@invaliddigest:" + FF, "unsupported digest algorithm"),
                Arguments.of("repo@sha256:" + FF.toUpperCase(), "invalid checksum digest format"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("invalid")
    void parse_rejectsWithDockersMessage(String input, String message) {
        InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(input));
        assertEquals(message, e.getMessage());
    }

    @Test
    void registryHost_mapsDockerHubToItsApiHost() throws InvalidReferenceException {
        assertEquals("registry-1.docker.io", ImageReference.parse("alpine").registryHost());
        assertEquals("registry-1.docker.io", ImageReference.parse("index.docker.io/x/y").registryHost());
        assertEquals("localhost:5000", ImageReference.parse("localhost:5000/x").registryHost());
        assertEquals("ghcr.io", ImageReference.parse("ghcr.io/o/x").registryHost());
    }

    @Test
    void manifestReference_prefersDigestThenTagThenLatest() throws InvalidReferenceException {
        assertEquals("latest", ImageReference.parse("alpine").manifestReference());
        assertEquals("3", ImageReference.parse("alpine:3").manifestReference());
        assertEquals("sha256:" + FF, ImageReference.parse("alpine:3@sha256:" + FF).manifestReference());
        assertEquals("docker.io/library/alpine:latest", ImageReference.parse("alpine").withDefaultTag().toString());
    }

    @Test
    void ofTag_normalizesTheNameAndRejectsAnExistingTagOrDigest() throws InvalidReferenceException {
        assertEquals("docker.io/library/app:2", ImageReference.ofTag("app", "2").toString());
        assertEquals("invalid reference format",
                assertThrows(InvalidReferenceException.class, () -> ImageReference.ofTag("app:1", "2"))
                        .getMessage());
    }

    @Test
    void withTag_rejectsMalformedTags() throws InvalidReferenceException {
        ImageReference ref = ImageReference.parse("localhost:5000/app");
        assertEquals("localhost:5000/app:v2", ref.withTag("v2").toString());
        assertEquals("invalid tag format",
                assertThrows(InvalidReferenceException.class, () -> ref.withTag(".v2")).getMessage());
    }
}
