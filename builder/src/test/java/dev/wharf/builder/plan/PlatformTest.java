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
    void parse_rejectsMalformedSpecifiers() {
        assertThrows(DockerfileException.class, () -> Platform.parse("linux//amd64", HOST));
        assertThrows(DockerfileException.class, () -> Platform.parse("a/b/c/d", HOST));
        assertThrows(DockerfileException.class, () -> Platform.parse("linux/am d64", HOST));
    }
}
