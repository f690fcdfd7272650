package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.testing.PeerTools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerBlobSinkTest {
    @TempDir
    Path root;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void gzip_storesTheCompressedBlobAndReportsTheDiffIdOfTheTar() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] tar = tarLike(700_000);
        LayerBlob layer = write(store, LayerCompression.gzip(6, 2), tar);
        assertEquals(MediaTypes.OCI_LAYER_GZIP, layer.descriptor().mediaType());
        assertEquals(Digest.sha256Of(tar), layer.diffId());
        assertEquals(tar.length, layer.uncompressedSize());
        byte[] stored = readBlob(store, layer);
        assertEquals(Digest.sha256Of(stored), layer.descriptor().digest());
        assertEquals(stored.length, layer.descriptor().size());
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            assertArrayEquals(tar, in.readAllBytes());
        }
    }

    @Test
    void zstd_storesAValidZstdFrame() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] tar = tarLike(300_000);
        LayerBlob layer = write(store, LayerCompression.zstd(3), tar);
        assertEquals(MediaTypes.OCI_LAYER_ZSTD, layer.descriptor().mediaType());
        assertEquals(Digest.sha256Of(tar), layer.diffId());
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(readBlob(store, layer)))) {
            assertArrayEquals(tar, in.readAllBytes());
        }
    }

    @Test
    void zstd_isAcceptedByTheZstdTool() throws Exception {
        Path zstd = PeerTools.require("zstd");
        FileBlobStore store = FileBlobStore.open(root);
        byte[] tar = tarLike(200_000);
        LayerBlob layer = write(store, LayerCompression.zstd(3), tar);
        Path blob = root.resolve("blobs/sha256/" + layer.descriptor().digest().hex());
        Process process = new ProcessBuilder(zstd.toString(), "-dc", blob.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
        assertArrayEquals(tar, out);
    }

    @Test
    void none_storesTheTarItselfSoDigestEqualsDiffId() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] tar = tarLike(10_000);
        LayerBlob layer = write(store, LayerCompression.none(), tar);
        assertEquals(MediaTypes.OCI_LAYER_TAR, layer.descriptor().mediaType());
        assertEquals(layer.diffId(), layer.descriptor().digest());
        assertArrayEquals(tar, readBlob(store, layer));
    }

    @Test
    void sameTar_givesTheSameLayerDigestWhateverTheThreadCount() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] tar = tarLike(1_000_000);
        LayerBlob one = write(store, LayerCompression.gzip(6, 1), tar);
        LayerBlob two = write(store, LayerCompression.gzip(6, 2), tar);
        assertEquals(one, two);
    }

    @Test
    void diffId_ofManyChunksWrittenInUnevenPieces_isTheSha256OfTheTar() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] tar = tarLike(1_300_001);
        for (LayerCompression compression : List.of(LayerCompression.zstd(3), LayerCompression.gzip(6, 2),
                LayerCompression.none())) {
            LayerBlob layer;
            try (LayerBlobSink sink = LayerBlobSink.open(store, compression, pool)) {
                int at = 0;
                // Single bytes, pieces smaller and larger than the sink's chunks, and a chunk-sized one.
                for (int piece : new int[] {1, 7, 511, 262_144, 600_000, 1}) {
                    if (piece == 1) {
                        sink.write(tar[at]);
                    } else {
                        sink.write(tar, at, piece);
                    }
                    at += piece;
                }
                sink.write(tar, at, tar.length - at);
                layer = sink.finish();
            }
            assertEquals(Digest.sha256Of(tar), layer.diffId(), compression.toString());
            assertEquals(tar.length, layer.uncompressedSize());
            assertEquals(Digest.sha256Of(readBlob(store, layer)), layer.descriptor().digest());
        }
    }

    @Test
    void close_withoutFinishStoresNothing() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        try (LayerBlobSink sink = LayerBlobSink.open(store, LayerCompression.gzip(6, 2), pool)) {
            sink.write(tarLike(300_000));
        }
        List<Digest> blobs = new ArrayList<>();
        store.walk(b -> blobs.add(b.digest()));
        assertTrue(blobs.isEmpty(), blobs.toString());
        try (var staged = Files.list(root.resolve("ingest"))) {
            assertEquals(0, staged.count());
        }
    }

    @Test
    void write_afterFinishFails() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        try (LayerBlobSink sink = LayerBlobSink.open(store, LayerCompression.none(), null)) {
            sink.write(1);
            sink.finish();
            assertThrows(IOException.class, () -> sink.write(2));
            assertThrows(IllegalStateException.class, sink::finish);
        }
    }

    @Test
    void compressionSettings_areValidated() {
        assertThrows(IllegalArgumentException.class, () -> LayerCompression.gzip(10, 1));
        assertThrows(IllegalArgumentException.class, () -> LayerCompression.zstd(0));
        assertThrows(IllegalArgumentException.class, () -> LayerCompression.gzip(6, 0));
    }

    private LayerBlob write(FileBlobStore store, LayerCompression compression, byte[] tar) throws IOException {
        try (LayerBlobSink sink = LayerBlobSink.open(store, compression, pool)) {
            for (int at = 0; at < tar.length; at += 10_000) {
                sink.write(tar, at, Math.min(10_000, tar.length - at));
            }
            return sink.finish();
        }
    }

    private static byte[] readBlob(FileBlobStore store, LayerBlob layer) throws IOException {
        try (InputStream in = store.open(layer.descriptor().digest())) {
            return in.readAllBytes();
        }
    }

    /** Bytes with the mix of a real tar: compressible headers and text, and some incompressible content. */
    private static byte[] tarLike(int size) {
        byte[] out = new byte[size];
        Random random = new Random(size);
        for (int at = 0; at < size; at += 512) {
            int n = Math.min(512, size - at);
            if (random.nextInt(3) == 0) {
                byte[] noise = new byte[n];
                random.nextBytes(noise);
                System.arraycopy(noise, 0, out, at, n);
            } else {
                for (int i = 0; i < n; i++) {
                    out[at + i] = (byte) ("usr/lib/x86_64-linux-gnu/".charAt((i + at / 512) % 25));
                }
            }
        }
        return out;
    }
}
