package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.grammar.DockerfileException;
import org.junit.jupiter.api.Test;

class PlatformTest {

    private static final Platform HOST = Platform.of("linux", "amd64", "");

    @Test
    void parse_normalizesCommonSpellings() throws DockerfileException {
        assertEquals("linux/amd64", Platform.parse("linux/x86_64", HOST).format());
        assertEquals("linux/arm64", Platform.parse("linux/aarch64", HOST).format());
        assertEquals("linux/arm64", Platform.parse("linux/arm64/v8", HOST).format());
        assertEquals("linux/arm/v7", Platform.parse("linux/arm", HOST).format());
        assertEquals("linux/arm/v6", Platform.parse("linux/armel", HOST).format());
    }

    @Test
    void parse_fillsAMissingPartFromTheDefaults() throws DockerfileException {
        assertEquals("linux/amd64", Platform.parse("linux", HOST).format());
        assertEquals("linux/arm64", Platform.parse("arm64", HOST).format());
    }

    @Test
    void parse_rejectsMalformedSpecifiers_inContainerdsWords() {
        // As BuildKit 0.13 (containerd 1.7's platforms.Parse) words them after "failed to parse platform X: ".
        assertEquals("\"\" is an invalid component of \"linux//amd64\": platform specifier component must match "
                + "\"^[A-Za-z0-9_-]+$\": invalid argument",
                assertThrows(DockerfileException.class, () -> Platform.parse("linux//amd64", HOST)).reason());
        assertEquals("\"a/b/c/d\": cannot parse platform specifier: invalid argument",
                assertThrows(DockerfileException.class, () -> Platform.parse("a/b/c/d", HOST)).reason());
        assertThrows(DockerfileException.class, () -> Platform.parse("linux/am d64", HOST));
        assertEquals("\"bogus\": unknown operating system or architecture: invalid argument",
                assertThrows(DockerfileException.class, () -> Platform.parse("bogus", HOST)).reason());
    }
}
