package dev.wharf.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Descriptor's written-out equals and hashCode keep the record contract: every component counts. */
class DescriptorTest {
    private static final Digest DIGEST = Digest.sha256Of(new byte[] {1});
    private static final Descriptor FULL = new Descriptor(MediaTypes.OCI_MANIFEST, DIGEST, 10, List.of("https://a"),
            new TreeMap<>(Map.of("k", "v")), "ZGF0YQ==", Platform.of("linux", "amd64"), "x/y");

    @Test
    void equalDescriptors_areEqualAndHashAlike() {
        Descriptor same = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256Of(new byte[] {1}), 10,
                List.of("https://a"), new TreeMap<>(Map.of("k", "v")), "ZGF0YQ==",
                Platform.of("linux", "amd64"), "x/y");
        assertEquals(FULL, same);
        assertEquals(FULL.hashCode(), same.hashCode());
        assertEquals(Descriptor.of("a", DIGEST, 1), Descriptor.of("a", DIGEST, 1));
    }

    @Test
    void aDifferenceInAnyComponent_makesThemUnequal() {
        List<Descriptor> others = List.of(
                new Descriptor("other", DIGEST, 10, FULL.urls(), FULL.annotations(), FULL.data(), FULL.platform(),
                        FULL.artifactType()),
                new Descriptor(FULL.mediaType(), Digest.sha256Of(new byte[] {2}), 10, FULL.urls(),
                        FULL.annotations(), FULL.data(), FULL.platform(), FULL.artifactType()),
                new Descriptor(FULL.mediaType(), DIGEST, 11, FULL.urls(), FULL.annotations(), FULL.data(),
                        FULL.platform(), FULL.artifactType()),
                new Descriptor(FULL.mediaType(), DIGEST, 10, List.of(), FULL.annotations(), FULL.data(),
                        FULL.platform(), FULL.artifactType()),
                FULL.withAnnotation("k", "w"),
                new Descriptor(FULL.mediaType(), DIGEST, 10, FULL.urls(), FULL.annotations(), null, FULL.platform(),
                        FULL.artifactType()),
                new Descriptor(FULL.mediaType(), DIGEST, 10, FULL.urls(), FULL.annotations(), FULL.data(), null,
                        FULL.artifactType()),
                new Descriptor(FULL.mediaType(), DIGEST, 10, FULL.urls(), FULL.annotations(), FULL.data(),
                        FULL.platform(), null));
        for (Descriptor other : others) {
            assertNotEquals(FULL, other);
            assertNotEquals(other, FULL);
        }
        assertNotEquals(FULL, null);
        assertNotEquals(FULL, "descriptor");
    }
}
