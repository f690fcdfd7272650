package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.layers.Descriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerSizesTest {
    @TempDir
    Path root;

    @Test
    void contentSize_isReadOncePerStore_andRememberedByIt() throws Exception {
        LocalStore store = LocalStore.open(root);
        Descriptor layer = TestImages.write(store, "abc").layers().get(0);
        assertEquals(3, store.layerSizes().contentSize(layer), "the file's 3 bytes, not the gzip blob's size");
        Path record = LayerSizes.recordFile(root, layer.digest());
        assertEquals("3", Files.readString(record, StandardCharsets.US_ASCII));

        Files.writeString(record, "999"); // changed behind the store's back: only a fresh store reads it
        assertEquals(3, store.layerSizes().contentSize(layer), "remembered, the record not read again");
        assertEquals(999, LocalStore.open(root).layerSizes().contentSize(layer), "another store reads the record");
    }

    @Test
    void garbageCollection_forgetsTheSizeOfALayerItDeletes() throws Exception {
        LocalStore store = LocalStore.open(root);
        Descriptor layer = TestImages.write(store, "gone").layers().get(0);
        assertEquals(4, store.layerSizes().contentSize(layer));
        Thread.sleep(5);
        store.garbageCollector().collect(GcOptions.defaults().withGracePeriod(Duration.ZERO));
        assertFalse(store.blobs().exists(layer.digest()));
        assertFalse(Files.exists(LayerSizes.recordFile(root, layer.digest())));
        assertEquals(layer.size(), store.layerSizes().contentSize(layer),
                "a deleted layer's size is the blob size it was given, not a remembered measurement");
    }
}
