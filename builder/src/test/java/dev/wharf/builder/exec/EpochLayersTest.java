package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wharf.cache.CacheKeyInputs;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.StepIdentity;
import dev.wharf.cache.StepParent;
import dev.wharf.cache.StepResult;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clamped image's inline-cache records: each names the clamped layers, by place. */
class EpochLayersTest {
    private static final long EPOCH = 1_000_000_000L;
    private static final Platform AMD64 = Platform.of("linux", "amd64");

    @TempDir
    Path tmp;

    private static CacheRecord record(String name, List<LayerBlob> layers, String config) {
        CacheKeyInputs inputs = CacheKeyInputs.builder(StepIdentity.forStep("Dockerfile", "0", 1),
                        StepParent.scratch(), "COPY")
                .text("COPY " + name).instruction("copy", name).platform(AMD64).build();
        return CacheRecord.create(inputs, StepResult.of(layers, config), Instant.parse("2026-01-02T03:04:05Z"));
    }

    @Test
    void aBaseLayerEqualToABuiltOne_keepsItsDiffId_andARecordWithoutConfigNamesTheClampedLayer() throws Exception {
        LocalStore store = LocalStore.open(tmp.resolve("store"));
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.writeString(tree.resolve("f"), "same content in base and step");
        Files.setLastModifiedTime(tree.resolve("f"), FileTime.fromMillis(2_000_000_000_000L));
        LayerBlob layer = new LayerWriter(store.blobs(), new TreeScanner(PosixFiles.system()),
                LayerWriterOptions.of(LayerCompression.none()), Runnable::run).writeTree(tree);
        CanonicalJson json = store.json();
        ImageConfiguration config = ImageConfiguration.of(AMD64, ExecutionConfig.empty(),
                RootFs.layers(List.of(layer.diffId(), layer.diffId())), List.of());
        EpochLayers epochLayers = new EpochLayers(store.epochVariants(), json, EPOCH);

        BuildExecutor.State image = epochLayers.image(new BuildExecutor.State(List.of(layer, layer), config,
                StepParent.scratch(), 1));
        LayerBlob clamped = image.layers().get(1);
        assertNotEquals(layer.diffId(), clamped.diffId());
        assertEquals(List.of(layer.diffId(), clamped.diffId()), image.image().rootfs().diffIds());

        String recordConfig = new String(json.write(config), StandardCharsets.UTF_8);
        List<CacheRecord> inline = epochLayers.inline(List.of(record("with config", List.of(layer), recordConfig),
                record("without config", List.of(layer), "")), image.image());

        ImageConfiguration named = json.read(inline.get(0).result().config().getBytes(StandardCharsets.UTF_8),
                ImageConfiguration.class, "record config");
        assertEquals(List.<Digest>of(layer.diffId(), clamped.diffId()), named.rootfs().diffIds(),
                "the base layer keeps its diff ID; the step's is clamped");
        assertEquals(List.of(clamped), inline.get(0).result().layers());
        assertEquals(List.of(clamped), inline.get(1).result().layers(), "rebuilt with the clamped layer");
        assertEquals("", inline.get(1).result().config());
    }
}
