package dev.wharf.layers.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.testing.PeerTools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class ParallelGzipOutputStreamTest {
    private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @TestFactory
    Stream<DynamicTest> output_decompressesToTheInput_forEverySizeAroundBlockBoundaries() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int size : new int[] {0, 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 5 * BLOCK + 17}) {
            for (String kind : List.of("random", "text")) {
                for (int threads : new int[] {1, 4}) {
                    tests.add(DynamicTest.dynamicTest(kind + " " + size + " bytes, " + threads + " threads", () -> {
                        byte[] input = data(kind, size);
                        assertArrayEquals(input, gunzip(gzip(input, 6, threads)));
                    }));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void output_isTheSameForAnyThreadCountAndWriteChunking() throws Exception {
        byte[] input = data("text", 3 * BLOCK + 5);
        byte[] expected = gzip(input, 6, 1);
        for (int threads : new int[] {2, 3, 4}) {
            assertArrayEquals(expected, gzip(input, 6, threads), threads + " threads");
        }
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream out = new ParallelGzipOutputStream(chunked, 6, 3, pool)) {
            Random random = new Random(1);
            int at = 0;
            while (at < input.length) {
                int n = Math.min(input.length - at, random.nextInt(70_000));
                if (n == 1) {
                    out.write(input[at]);
                } else {
                    out.write(input, at, n);
                }
                out.flush();
                at += n;
            }
        }
        assertArrayEquals(expected, chunked.toByteArray());
    }

    @Test
    void reusedDeflaters_giveTheBytesOfAFreshDeflaterPerBlock() throws Exception {
        for (String kind : List.of("text", "random")) {
            byte[] input = data(kind, 7 * BLOCK + 4321);
            byte[] expected = freshDeflaterPerBlock(input, 6);
            // Two streams in a row and several threads: deflaters are reset and handed between workers.
            assertArrayEquals(expected, gzip(input, 6, 1), kind + ", 1 thread");
            assertArrayEquals(expected, gzip(input, 6, 3), kind + ", 3 threads");
            assertArrayEquals(expected, gzip(input, 6, 3), kind + ", 3 threads again");
        }
    }

    /** The block scheme written out plainly, one new Deflater per block: what the stream must produce. */
    private static byte[] freshDeflaterPerBlock(byte[] input, int level) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        int at = 0;
        do {
            int n = Math.min(BLOCK, input.length - at);
            boolean last = at + n == input.length;
            java.util.zip.Deflater d = new java.util.zip.Deflater(level, true);
            if (at > 0) {
                d.setDictionary(input, Math.max(0, at - 32 * 1024), Math.min(at, 32 * 1024));
            }
            d.setInput(input, at, n);
            byte[] buf = new byte[4096];
            if (last) {
                d.finish();
                while (!d.finished()) {
                    out.write(buf, 0, d.deflate(buf));
                }
            } else {
                int k;
                do {
                    k = d.deflate(buf, 0, buf.length, java.util.zip.Deflater.SYNC_FLUSH);
                    out.write(buf, 0, k);
                } while (k == buf.length || !d.needsInput());
            }
            d.end();
            at += n;
        } while (at < input.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(input);
        long c = crc.getValue();
        long len = input.length;
        out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
            (byte) len, (byte) (len >>> 8), (byte) (len >>> 16), (byte) (len >>> 24)});
        return out.toByteArray();
    }

    @Test
    void header_isGoStyleAndMachineIndependent() throws Exception {
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff},
                Arrays.copyOf(gzip(new byte[0], 6, 1), 10));
        assertEquals(2, gzip(new byte[0], 9, 1)[8]);
        assertEquals(4, gzip(new byte[0], 1, 1)[8]);
    }

    @Test
    void everyLevel_producesValidGzip() throws Exception {
        byte[] input = data("text", BLOCK + 333);
        for (int level = 0; level <= 9; level++) {
            assertArrayEquals(input, gunzip(gzip(input, level, 2)), "level " + level);
        }
    }

    @Test
    void compression_isCloseToSingleStreamGzip() throws Exception {
        byte[] input = data("text", 8 * BLOCK);
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(single)) {
            out.write(input);
        }
        int parallel = gzip(input, 6, 4).length;
        assertTrue(parallel < single.size() * 1.05 + 64, parallel + " vs " + single.size());
    }

    @Test
    void systemGzip_acceptsTheOutput(@TempDir Path dir) throws Exception {
        Path gzipTool = PeerTools.require("gzip");
        byte[] input = data("text", 3 * BLOCK + 99);
        Path file = dir.resolve("data.gz");
        Files.write(file, gzip(input, 6, 4));
        Process process = new ProcessBuilder(gzipTool.toString(), "-dc", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
        assertArrayEquals(input, out);
    }

    @Test
    void write_afterCloseFails() throws Exception {
        ParallelGzipOutputStream out = new ParallelGzipOutputStream(new ByteArrayOutputStream(), 6, 1, null);
        out.close();
        out.close();
        assertThrows(IOException.class, () -> out.write(1));
    }

    @Test
    void constructor_rejectsBadSettings() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        assertThrows(IllegalArgumentException.class, () -> new ParallelGzipOutputStream(sink, 10, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new ParallelGzipOutputStream(sink, 6, 0, null));
        assertThrows(NullPointerException.class, () -> new ParallelGzipOutputStream(sink, 6, 2, null));
    }

    static byte[] data(String kind, int size) {
        byte[] out = new byte[size];
        Random random = new Random(size * 31L + kind.hashCode());
        if (kind.equals("random")) {
            random.nextBytes(out);
            return out;
        }
        String[] words = {"layer ", "image ", "wharf ", "digest ", "sha256 ", "manifest\n", "/usr/lib/", "0644 "};
        int at = 0;
        while (at < size) {
            byte[] word = words[random.nextInt(words.length)].getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(word.length, size - at);
            System.arraycopy(word, 0, out, at, n);
            at += n;
        }
        return out;
    }

    private static byte[] gzip(byte[] input, int level, int threads) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream out = new ParallelGzipOutputStream(sink, level, threads, pool)) {
            out.write(input);
        }
        return sink.toByteArray();
    }

    static byte[] gunzip(byte[] gzip) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }
}
