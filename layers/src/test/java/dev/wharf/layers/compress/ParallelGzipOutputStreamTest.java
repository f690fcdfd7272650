package dev.wharf.layers.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.testing.PeerTools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    /**
     * The deflate implementations: zlib, libdeflate through wharf's JNI library (what wharf prefers) and through
     * jnr-ffi (its fallback); libdeflate and the JNI library are required under CI=true ({@code .ci/run} installs
     * libdeflate0 and gcc).
     */
    enum Impl {
        ZLIB, LIBDEFLATE, LIBDEFLATE_JNR;

        LibDeflate.Calls lib() {
            if (this == ZLIB) {
                return null;
            }
            return (this == LIBDEFLATE ? JniDeflate.load() : LibDeflate.jnr()).orElseGet(() -> {
                String message = "libdeflate or its " + this + " binding is not available (apt-get install "
                        + "libdeflate0 gcc)";
                if ("true".equals(System.getenv("CI"))) {
                    fail(message + "; CI=true requires it");
                }
                Assumptions.abort(message);
                return null;
            });
        }

        int block() {
            return this == ZLIB ? BLOCK : ParallelGzipOutputStream.MEMBER_SIZE;
        }
    }

    @TestFactory
    Stream<DynamicTest> output_decompressesToTheInput_forEverySizeAroundBlockBoundaries() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Impl impl : Impl.values()) {
            int block = impl.block();
            for (int size : new int[] {0, 1, 1000, block - 1, block, block + 1, 2 * block, 5 * block + 17}) {
                for (String kind : List.of("random", "text")) {
                    for (int threads : new int[] {1, 4}) {
                        tests.add(DynamicTest.dynamicTest(impl + " " + kind + " " + size + " bytes, " + threads
                                + " threads", () -> {
                                    byte[] input = data(kind, size);
                                    assertArrayEquals(input, gunzip(gzip(impl, input, 6, threads)));
                                }));
                    }
                }
            }
        }
        return tests.stream();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void output_isTheSameForAnyThreadCountAndWriteChunking(Impl impl) throws Exception {
        byte[] input = data("text", 3 * impl.block() + 5);
        byte[] expected = gzip(impl, input, 6, 1);
        for (int threads : new int[] {2, 3, 4}) {
            assertArrayEquals(expected, gzip(impl, input, 6, threads), threads + " threads");
        }
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream out = new ParallelGzipOutputStream(chunked, 6, 3, pool, impl.lib())) {
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
            assertArrayEquals(expected, gzip(Impl.ZLIB, input, 6, 1), kind + ", 1 thread");
            assertArrayEquals(expected, gzip(Impl.ZLIB, input, 6, 3), kind + ", 3 threads");
            assertArrayEquals(expected, gzip(Impl.ZLIB, input, 6, 3), kind + ", 3 threads again");
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

    @ParameterizedTest
    @EnumSource(Impl.class)
    void header_isGoStyleAndMachineIndependent(Impl impl) throws Exception {
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff},
                Arrays.copyOf(gzip(impl, new byte[0], 6, 1), 10));
        assertEquals(2, gzip(impl, new byte[0], 9, 1)[8]);
        assertEquals(4, gzip(impl, new byte[0], 1, 1)[8]);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void everyLevel_producesValidGzip(Impl impl) throws Exception {
        byte[] input = data("text", impl.block() + 333);
        for (int level = 0; level <= 9; level++) {
            assertArrayEquals(input, gunzip(gzip(impl, input, level, 2)), "level " + level);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void compression_isCloseToSingleStreamGzip(Impl impl) throws Exception {
        // Real content (the JVM's own machine code, which every JDK has): libdeflate's level 6 matches or beats
        // zlib's on such files, but on the word salad of data("text") it is some 10% larger.
        byte[] input;
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "server",
                "libjvm.so"))) {
            input = in.readNBytes(8 * impl.block());
        }
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(single)) {
            out.write(input);
        }
        int parallel = gzip(impl, input, 6, 4).length;
        assertTrue(parallel < single.size() * 1.01 + 64, parallel + " vs " + single.size());
    }

    @Test
    void jniAndJnrBindings_writeTheSameBytes() throws Exception {
        // The layer digest must not depend on which binding a process found (a native CLI has only the JNI one).
        byte[] input = data("text", 2 * ParallelGzipOutputStream.MEMBER_SIZE + 777);
        for (int level : new int[] {1, 6, 9}) {
            assertArrayEquals(gzip(Impl.LIBDEFLATE_JNR, input, level, 2), gzip(Impl.LIBDEFLATE, input, level, 2),
                    "level " + level);
        }
    }

    @Test
    void withLibdeflate_everyMemberIsACompleteGzipOfItsBlock() throws Exception {
        int member = ParallelGzipOutputStream.MEMBER_SIZE;
        byte[] input = data("text", 2 * member + 12345);
        byte[] gz = gzip(Impl.LIBDEFLATE, input, 6, 2);
        // Each member ends with the CRC-32 and length of its own block; walk the members with an Inflater.
        List<Integer> lengths = new ArrayList<>();
        int at = 0;
        while (at < gz.length) {
            assertEquals(0x1f, gz[at] & 0xff);
            assertEquals(0x8b, gz[at + 1] & 0xff);
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            inflater.setInput(gz, at + 10, gz.length - at - 10);
            byte[] block = new byte[member];
            int n = inflater.inflate(block);
            assertTrue(inflater.finished());
            int end = gz.length - inflater.getRemaining();
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(block, 0, n);
            long c = crc.getValue();
            assertArrayEquals(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
                (byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)}, Arrays.copyOfRange(gz, end, end + 8));
            inflater.end();
            lengths.add(n);
            at = end + 8;
        }
        assertEquals(List.of(member, member, 12345), lengths);
    }

    @Test
    void theImplementation_isLibdeflateUnlessThePropertySaysZlib() throws Exception {
        Impl.LIBDEFLATE.lib();
        assertEquals("libdeflate", ParallelGzipOutputStream.implementation());
        try (ParallelGzipOutputStream out = new ParallelGzipOutputStream(new ByteArrayOutputStream(), 6, 1, null)) {
            assertTrue(out.usesLibdeflate());
        }
        byte[] input = data("text", 2 * BLOCK + 7);
        String before = System.getProperty(LibDeflate.PROPERTY);
        System.setProperty(LibDeflate.PROPERTY, "zlib");
        try {
            assertEquals("zlib", ParallelGzipOutputStream.implementation());
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (ParallelGzipOutputStream out = new ParallelGzipOutputStream(sink, 6, 2, pool)) {
                assertFalse(out.usesLibdeflate());
                out.write(input);
            }
            assertArrayEquals(gzip(Impl.ZLIB, input, 6, 2), sink.toByteArray());
            assertArrayEquals(input, gunzip(sink.toByteArray()));
        } finally {
            if (before == null) {
                System.clearProperty(LibDeflate.PROPERTY);
            } else {
                System.setProperty(LibDeflate.PROPERTY, before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void gzipAndPigz_decompressTheOutputToTheInput(Impl impl, @TempDir Path dir) throws Exception {
        byte[] input = data("text", 3 * impl.block() + 99);
        Path file = dir.resolve("data.gz");
        Files.write(file, gzip(impl, input, 6, 4));
        for (String tool : List.of("gzip", "pigz")) {
            Path path = PeerTools.require(tool);
            Process process = new ProcessBuilder(path.toString(), "-dc", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = process.getInputStream().readAllBytes();
            assertEquals(0, process.waitFor(), tool);
            assertArrayEquals(input, out, tool);
        }
    }

    @Test
    void decompressors_readEveryMember_evenFromASourceWithNothingAvailable() throws Exception {
        byte[] input = data("text", 3 * ParallelGzipOutputStream.MEMBER_SIZE + 99);
        byte[] gz = gzip(Impl.LIBDEFLATE, input, 6, 2);
        // Like a socket that delivers one byte at a time and has none ready in advance (available() == 0): at each
        // member's end GZIPInputStream alone sees nothing available and stops, silently, after the first member.
        InputStream trickle = new InputStream() {
            private int at;

            @Override
            public int read() {
                return at < gz.length ? gz[at++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at == gz.length) {
                    return -1;
                }
                int n = Math.min(len, 1);
                System.arraycopy(gz, at, b, off, n);
                at += n;
                return n;
            }
        };
        try (InputStream in = Decompressors.open(trickle)) {
            assertArrayEquals(input, in.readAllBytes());
        }
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

    private static byte[] gzip(Impl impl, byte[] input, int level, int threads) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (ParallelGzipOutputStream out = new ParallelGzipOutputStream(sink, level, threads, pool, impl.lib())) {
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
