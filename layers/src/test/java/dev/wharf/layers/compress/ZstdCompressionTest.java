package dev.wharf.layers.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.luben.zstd.ZstdInputStream;
import dev.wharf.layers.testing.PeerTools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZstdCompressionTest {

    /** Several MB so that zstd's multi-threaded mode cuts the input into more than one job. */
    private static final int SIZE = 24 << 20;

    @Test
    void output_isTheSameForAnyWorkerCount() throws Exception {
        byte[] input = ParallelGzipOutputStreamTest.data("text", SIZE);
        byte[] one = zstd(input, 3, 1);
        for (int workers : new int[] {2, 3, 4}) {
            assertArrayEquals(one, zstd(input, 3, workers), workers + " workers");
        }
        assertArrayEquals(one, zstd(input, 3, 1), "again with one worker");
    }

    @Test
    void output_decompressesToTheInput() throws Exception {
        byte[] input = ParallelGzipOutputStreamTest.data("random", 5 << 20);
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(zstd(input, 3, 2)))) {
            assertArrayEquals(input, in.readAllBytes());
        }
    }

    @Test
    void zstdCli_acceptsTheOutput(@TempDir Path dir) throws Exception {
        Path tool = PeerTools.require("zstd");
        byte[] input = ParallelGzipOutputStreamTest.data("text", 3 << 20);
        Path file = dir.resolve("data.zst");
        Files.write(file, zstd(input, 3, 2));
        Process test = new ProcessBuilder(tool.toString(), "-q", "-t", file.toString()).inheritIO().start();
        assertEquals(0, test.waitFor(), "zstd -t");
        Process process = new ProcessBuilder(tool.toString(), "-dc", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
        assertArrayEquals(input, out);
    }

    private static byte[] zstd(byte[] input, int level, int workers) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = Compressors.open(bytes, LayerCompression.zstd(level, workers), Runnable::run)) {
            for (int at = 0; at < input.length; at += 100_000) {
                out.write(input, at, Math.min(100_000, input.length - at));
            }
        }
        return bytes.toByteArray();
    }

    @org.junit.jupiter.api.Test
    void theNativeLibrary_isUnpackedOnceIntoAPrivateCache_andLoaded() throws Exception {
        java.nio.file.Path lib = ZstdNative.cachedLibrary().orElseThrow();
        org.junit.jupiter.api.Assertions.assertTrue(lib.getFileName().toString().matches("libzstd-jni-.*-[0-9]+\\.so"),
                lib.toString());
        org.junit.jupiter.api.Assertions.assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions
                .toString(java.nio.file.Files.getPosixFilePermissions(lib.getParent())));
        java.nio.file.attribute.FileTime written = java.nio.file.Files.getLastModifiedTime(lib);
        org.junit.jupiter.api.Assertions.assertEquals(lib, ZstdNative.cachedLibrary().orElseThrow());
        org.junit.jupiter.api.Assertions.assertEquals(written, java.nio.file.Files.getLastModifiedTime(lib),
                "a cached library is not written again");
        ZstdNative.ensureLoaded();
        org.junit.jupiter.api.Assertions.assertTrue(com.github.luben.zstd.util.Native.isLoaded());
    }
}
