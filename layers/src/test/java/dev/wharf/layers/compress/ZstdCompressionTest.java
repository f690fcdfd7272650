package dev.wharf.layers.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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

    /**
     * Layers must be byte-identical on every machine: zstd-jni's multi-threaded mode (ZSTD_c_nbWorkers >= 1) cuts
     * the input into jobs whose size depends on the level only and joins their output in order, so the worker count
     * (and with it the machine's core count, which only decides how many run at once) never shows in the bytes; up
     * to 16 workers, more workers than this machine has cores, are checked here.
     */
    @Test
    void output_isTheSameForAnyWorkerCountOfOneOrMore() throws Exception {
        byte[] input = ParallelGzipOutputStreamTest.data("text", SIZE);
        for (int level : new int[] {1, 3}) {
            byte[] one = zstd(input, level, 1);
            for (int workers : new int[] {2, 3, 4, 8, 16}) {
                assertArrayEquals(one, zstd(input, level, workers), "level " + level + ", " + workers + " workers");
            }
            assertArrayEquals(one, zstd(input, level, 1), "level " + level + " again with one worker");
        }
    }

    /**
     * Why {@link Compressors} never uses 0 workers (zstd's single-threaded mode, what a machine-dependent "use the
     * cores" count would give on a 1-core machine if it were allowed): its frames differ from the multi-threaded ones.
     */
    @Test
    void singleThreadedMode_givesOtherBytes_soItIsNeverUsed() throws Exception {
        byte[] input = ParallelGzipOutputStreamTest.data("text", SIZE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (com.github.luben.zstd.ZstdOutputStream out = new com.github.luben.zstd.ZstdOutputStream(bytes, 3)) {
            out.setChecksum(true);
            out.setWorkers(0);
            out.write(input);
        }
        assertFalse(java.util.Arrays.equals(zstd(input, 3, 1), bytes.toByteArray()));
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
        // Named by zstd-jni's library name and a prefix of its digest (NativeHelpers).
        org.junit.jupiter.api.Assertions.assertTrue(
                lib.getFileName().toString().matches("libzstd-jni-.*\\.so-[0-9a-f]{16}"), lib.toString());
        org.junit.jupiter.api.Assertions.assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions
                .toString(java.nio.file.Files.getPosixFilePermissions(lib.getParent())));
        java.nio.file.attribute.FileTime written = java.nio.file.Files.getLastModifiedTime(lib);
        org.junit.jupiter.api.Assertions.assertEquals(lib, ZstdNative.cachedLibrary().orElseThrow());
        org.junit.jupiter.api.Assertions.assertEquals(written, java.nio.file.Files.getLastModifiedTime(lib),
                "a cached library is not written again");
        // A note named by the stamp of zstd-jni's jar names the copy: later JVMs find it without reading the jar.
        String file = lib.getFileName().toString();
        String prefix = file.substring(0, file.lastIndexOf('-') + 1);
        String id = file.substring(prefix.length());
        try (var notes = java.nio.file.Files.list(lib.getParent())) {
            org.junit.jupiter.api.Assertions.assertTrue(notes.anyMatch(n -> {
                try {
                    return n.getFileName().toString().startsWith(prefix) && n.toString().endsWith(".id")
                            && java.nio.file.Files.readString(n).equals(id);
                } catch (java.io.IOException e) {
                    return false;
                }
            }), "a note naming " + file);
        }
        ZstdNative.ensureLoaded();
        org.junit.jupiter.api.Assertions.assertTrue(com.github.luben.zstd.util.Native.isLoaded());
    }
}
