package dev.wharf.layers.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attack: decompression bombs, small compressed streams of zeros that expand thousands of times. Must hold: past the
 * floor, a stream expanding beyond the ratio fails with an error that says so; ordinary content passes unchanged.
 */
@Tag("reliability")
class RatioLimitTest {
    private static final int MIB = 1024 * 1024;

    @Test
    void zstdBomb_isRefusedByTheDefaultLimit_afterTheFloor() throws IOException {
        byte[] bomb = compress(true, 300 * MIB);
        assertTrue(bomb.length < 64 * 1024, "a bomb: " + bomb.length + " bytes");
        IOException e = assertThrows(IOException.class, () -> drain(Decompressors.open(
                new ByteArrayInputStream(bomb), RatioLimit.DEFAULT)));
        assertTrue(e.getMessage().contains("decompression bomb"), e.getMessage());
    }

    @Test
    void gzipOverATighterLimit_isRefused_andWithoutALimitReadsWhole() throws IOException {
        byte[] zeros = compress(false, 8 * MIB);
        RatioLimit tight = new RatioLimit(100, MIB);
        assertThrows(IOException.class, () -> drain(Decompressors.open(new ByteArrayInputStream(zeros), tight)));
        assertTrue(drain(Decompressors.open(new ByteArrayInputStream(zeros))) == 8L * MIB);
    }

    @Test
    void ordinaryContent_passesUnchanged() throws IOException {
        byte[] content = new byte[3 * MIB];
        new Random(5).nextBytes(content);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(content);
        }
        try (InputStream in = Decompressors.open(new ByteArrayInputStream(gz.toByteArray()), new RatioLimit(2, 0))) {
            assertArrayEquals(content, in.readAllBytes());
        }
    }

    private static byte[] compress(boolean zstd, long zeros) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] chunk = new byte[MIB];
        try (OutputStream out = zstd ? new ZstdOutputStream(bytes, 19) : new GZIPOutputStream(bytes)) {
            for (long written = 0; written < zeros; written += chunk.length) {
                out.write(chunk);
            }
        }
        return bytes.toByteArray();
    }

    private static long drain(InputStream in) throws IOException {
        try (in) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
