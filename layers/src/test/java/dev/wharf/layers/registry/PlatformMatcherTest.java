package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlatformMatcherTest {
    private static Descriptor entry(int n, Platform platform) {
        return Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(String.format("%064x", n)), 100)
                .withPlatform(platform);
    }

    private static final Descriptor AMD64 = entry(1, Platform.of("linux", "amd64"));
    private static final Descriptor ARM64 = entry(2, Platform.of("linux", "arm64").withVariant("v8"));
    private static final Descriptor ARM_V6 = entry(3, Platform.of("linux", "arm").withVariant("v6"));
    private static final Descriptor ARM_V7 = entry(4, Platform.of("linux", "arm").withVariant("v7"));
    private static final Descriptor ATTESTATION = entry(5, Platform.of("unknown", "unknown"));
    private static final List<Descriptor> INDEX = List.of(ATTESTATION, AMD64, ARM_V6, ARM64, ARM_V7);

    @Test
    void select_matchesOsArchitectureAndDefaultVariants() {
        assertEquals(Optional.of(AMD64), new PlatformMatcher(Platform.of("linux", "amd64")).select(INDEX));
        assertEquals(Optional.of(AMD64), new PlatformMatcher(Platform.of("linux", "x86_64")).select(INDEX));
        assertEquals(Optional.of(ARM64), new PlatformMatcher(Platform.of("linux", "arm64")).select(INDEX));
        assertEquals(Optional.of(ARM64), new PlatformMatcher(Platform.of("linux", "aarch64")).select(INDEX));
        assertEquals(Optional.of(ARM_V7), new PlatformMatcher(Platform.of("linux", "arm")).select(INDEX));
        assertEquals(Optional.empty(), new PlatformMatcher(Platform.of("windows", "amd64")).select(INDEX));
    }

    @Test
    void select_fallsBackToOlderArmVariants_preferringTheClosest() {
        List<Descriptor> older = List.of(ARM_V6, entry(6, Platform.of("linux", "arm").withVariant("v5")));
        assertEquals(Optional.of(ARM_V6), new PlatformMatcher(Platform.of("linux", "arm").withVariant("v7"))
                .select(older));
        assertFalse(new PlatformMatcher(Platform.of("linux", "arm").withVariant("v6"))
                .matches(Platform.of("linux", "arm").withVariant("v7")));
        assertTrue(new PlatformMatcher(Platform.of("linux", "arm64").withVariant("v8"))
                .matches(Platform.of("linux", "arm64")));
    }

    @Test
    void select_ignoresEntriesWithoutPlatform() {
        Descriptor bare = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("0".repeat(64)), 1);
        assertEquals(Optional.empty(), new PlatformMatcher(Platform.of("linux", "amd64")).select(List.of(bare)));
    }
}
