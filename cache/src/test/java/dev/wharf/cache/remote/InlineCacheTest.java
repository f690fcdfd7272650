package dev.wharf.cache.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheKeyInputs;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.StepIdentity;
import dev.wharf.cache.StepParent;
import dev.wharf.cache.StepResult;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.layer.LayerBlob;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InlineCacheTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64");
    private static final Instant MADE = Instant.parse("2026-01-02T03:04:05Z");

    private static Digest sha(String text) {
        return Digest.sha256Of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A record whose one layer is stored uncompressed, as a build makes it. */
    private static CacheRecord record(String name) {
        Digest diff = sha("diff " + name);
        LayerBlob layer = new LayerBlob(Descriptor.of(MediaTypes.OCI_LAYER_TAR, diff, 100), diff, 100);
        CacheKeyInputs inputs = CacheKeyInputs.builder(StepIdentity.forStep("Dockerfile", "0", 1),
                        StepParent.image(sha("base")), "RUN")
                .text("RUN " + name).instruction("cmd", "/bin/sh", "-c", name).platform(AMD64).build();
        return CacheRecord.create(inputs, StepResult.of(List.of(layer), "{}"), MADE);
    }

    private static ImageConfiguration image(List<Digest> diffIds, JsonNode inline) {
        ImageConfiguration config = ImageConfiguration.of(AMD64, ExecutionConfig.empty(), RootFs.layers(diffIds),
                List.of());
        return inline == null ? config : config.withUnknownField(InlineCache.CONFIG_FIELD, inline);
    }

    @Test
    void recordsOfTheImagesLayers_roundTrip_withThePushedLayersInPlaceOfTheBuiltOnes() throws Exception {
        CacheRecord inImage = record("kept");
        CacheRecord otherStage = record("other stage");
        Digest base = sha("diff base");
        List<Digest> diffIds = List.of(base, sha("diff kept"));
        JsonNode node = InlineCache.embed(List.of(inImage, otherStage), diffIds, Optional.empty()).orElseThrow();

        Descriptor pushedBase = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, sha("gz base"), 40);
        Descriptor pushedKept = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, sha("gz kept"), 50);
        ImageManifest manifest = ImageManifest.oci(Descriptor.of(MediaTypes.OCI_CONFIG, sha("config"), 10),
                List.of(pushedBase, pushedKept));
        List<CacheRecord> read = InlineCache.extract(image(diffIds, node), manifest, "image x");

        assertEquals(1, read.size());
        assertEquals(inImage.key(), read.get(0).key());
        assertEquals(MADE, read.get(0).created());
        assertEquals(List.of(new LayerBlob(pushedKept, sha("diff kept"), 100)), read.get(0).result().layers());
    }

    @Test
    void sourceDateEpoch_datesEveryRecord_soTheConfigIsReproducible() {
        Instant epoch = Instant.ofEpochSecond(1000);
        JsonNode a = InlineCache.embed(List.of(record("kept")), List.of(sha("diff kept")), Optional.of(epoch))
                .orElseThrow();
        CacheRecord later = new CacheRecord(record("kept").key(), 1, record("kept").inputs(), record("kept").result(),
                MADE.plusSeconds(60), MADE.plusSeconds(90));
        JsonNode b = InlineCache.embed(List.of(later), List.of(sha("diff kept")), Optional.of(epoch)).orElseThrow();
        assertEquals(a, b);
    }

    @Test
    void noRecordOfTheImage_embedsNothing() {
        assertTrue(InlineCache.embed(List.of(record("x")), List.of(sha("diff y")), Optional.empty()).isEmpty());
    }

    @Test
    void imageWithoutTheField_saysHowToMakeAnInlineCache() {
        CacheException e = assertThrows(CacheException.class, () -> InlineCache.extract(image(List.of(), null),
                ImageManifest.oci(Descriptor.of(MediaTypes.OCI_CONFIG, sha("c"), 1), List.of()), "image y"));
        assertTrue(e.getMessage().contains("image y is an image without a wharf inline cache"), e.getMessage());
        assertTrue(e.getMessage().contains("BUILDKIT_INLINE_CACHE=1"), e.getMessage());
    }
}
