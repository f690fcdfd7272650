package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TimestampClamp;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's remembered clamped layers: made once per layer and epoch, made again when their blob is gone. */
class EpochVariantsTest {
    private static final long EPOCH = 1_000_000_000L;

    @TempDir
    Path tmp;

    private LayerBlob plainLayer(LocalStore store) throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/d"));
        Files.writeString(tree.resolve("new"), "after the epoch");
        Files.setLastModifiedTime(tree.resolve("new"), FileTime.fromMillis(2_000_000_000_000L));
        Files.writeString(tree.resolve("old"), "before it");
        Files.setLastModifiedTime(tree.resolve("old"), FileTime.fromMillis(900_000_000_000L));
        return new LayerWriter(store.blobs(), new TreeScanner(PosixFiles.system()),
                LayerWriterOptions.of(LayerCompression.none()), Runnable::run).writeTree(tmp.resolve("tree"));
    }

    @Test
    void aLayerIsClampedOncePerEpoch_andTheRecordIsReadNextTime() throws Exception {
        LocalStore store = LocalStore.open(tmp.resolve("store"));
        LayerBlob plain = plainLayer(store);
        LayerBlob clamped = store.epochVariants().clamp(plain, EPOCH);
        assertNotEquals(plain.diffId(), clamped.diffId());
        assertEquals(TimestampClamp.clamp(store.blobs(), plain, EPOCH), clamped);
        assertTrue(store.blobs().exists(clamped.descriptor().digest()));
        try (Stream<Path> records = Files.list(tmp.resolve("store/clamped"))) {
            assertEquals(List.of(plain.diffId().toString().replace(':', '.') + "-" + EPOCH + ".json"),
                    records.map(p -> p.getFileName().toString()).toList());
        }
        // A second epoch is a second record; the first is read, not written again.
        LayerBlob other = store.epochVariants().clamp(plain, EPOCH + 1);
        assertNotEquals(clamped, other);
        Path record = tmp.resolve("store/clamped/" + plain.diffId().toString().replace(':', '.') + "-" + EPOCH
                + ".json");
        Files.writeString(record, Files.readString(record).replace(clamped.descriptor().digest().toString(),
                other.descriptor().digest().toString()));
        assertEquals(other.descriptor().digest(), store.epochVariants().clamp(plain, EPOCH).descriptor().digest(),
                "the remembered layer, no rewrite");
    }

    @Test
    void aClampedLayerNoImageKeeps_isCollected_andMadeAgainWhenNeeded() throws Exception {
        LocalStore store = LocalStore.open(tmp.resolve("store"));
        LayerBlob plain = plainLayer(store);
        LayerBlob clamped = store.epochVariants().clamp(plain, EPOCH);
        Thread.sleep(5);
        store.garbageCollector().collect(GcOptions.defaults().withGracePeriod(Duration.ZERO));
        assertFalse(store.blobs().exists(clamped.descriptor().digest()), "the index is no root");
        try (Stream<Path> records = Files.list(tmp.resolve("store/clamped"))) {
            assertEquals(List.of(), records.toList(), "the record of the swept blob is deleted with it");
        }
        // The source went too (nothing referenced it here); a build has it, as its cache keeps it.
        LayerBlob again = store.epochVariants().clamp(plainLayer(store), EPOCH);
        assertEquals(clamped, again);
        assertTrue(store.blobs().exists(again.descriptor().digest()));
    }

    @Test
    void aRecordMissingItsSizes_orGivingAnotherSizeThanTheStoredBlob_isTreatedAsAbsent() throws Exception {
        LocalStore store = LocalStore.open(tmp.resolve("store"));
        LayerBlob plain = plainLayer(store);
        LayerBlob clamped = store.epochVariants().clamp(plain, EPOCH);
        Path record = tmp.resolve("store/clamped/" + plain.diffId().toString().replace(':', '.') + "-" + EPOCH
                + ".json");
        String good = Files.readString(record);
        for (String bad : List.of(good.replaceFirst(",\"size\":\\d+", ""),
                good.replaceFirst("\"size\":\\d+", "\"size\":" + (clamped.descriptor().size() + 1)),
                good.replaceFirst(",\"uncompressedSize\":\\d+", ""))) {
            assertNotEquals(good, bad);
            Files.writeString(record, bad);
            assertEquals(clamped, store.epochVariants().clamp(plain, EPOCH), bad);
            assertEquals(good, Files.readString(record), "made again and recorded again");
        }
    }

    @Test
    void aCollection_keepsTheRecordsOfBlobsStillStored_andDeletesTempFilesOfKilledWritersOnlyOnceOld()
            throws Exception {
        LocalStore store = LocalStore.open(tmp.resolve("store"));
        LayerBlob plain = plainLayer(store);
        LayerBlob clamped = store.epochVariants().clamp(plain, EPOCH);
        Path dir = tmp.resolve("store/clamped");
        Path record = dir.resolve(plain.diffId().toString().replace(':', '.') + "-" + EPOCH + ".json");
        Path stale = Files.writeString(dir.resolve(record.getFileName() + "-killed.tmp"), "{");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000L));
        Path young = Files.writeString(dir.resolve(record.getFileName() + "-writing.tmp"), "{");
        Path damaged = Files.writeString(dir.resolve("sha256.damaged-1.json"), "{not json");
        // The default grace period keeps the fresh blobs, so their record stays.
        store.garbageCollector().collect(GcOptions.defaults());
        assertTrue(store.blobs().exists(clamped.descriptor().digest()));
        assertTrue(Files.exists(record), "the blob is there: the record stays");
        assertTrue(Files.exists(young), "a live writer's temp file");
        assertFalse(Files.exists(stale), "older than the grace period: a killed writer's");
        assertFalse(Files.exists(damaged), "never readable as a record");
    }

    @Test
    void aCollection_deletesTheCompressedVariantRecordsOfSweptBlobs() throws Exception {
        LocalStore store = LocalStore.open(tmp.resolve("store"));
        LayerBlob plain = plainLayer(store);
        var gone = store.blobs().put("compressed elsewhere".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        CompressedVariants variants = CompressedVariants.at(store.root(), store.blobs());
        variants.remember(plain.descriptor().digest(), dev.wharf.layers.MediaTypes.Compression.GZIP, 6,
                dev.wharf.layers.Descriptor.of("application/vnd.oci.image.layer.v1.tar+gzip", gone.digest(),
                        gone.size()));
        store.blobs().delete(gone.digest());
        store.garbageCollector().collect(GcOptions.defaults());
        try (Stream<Path> records = Files.list(tmp.resolve("store/variants"))) {
            assertEquals(List.of(), records.toList());
        }
    }
}
