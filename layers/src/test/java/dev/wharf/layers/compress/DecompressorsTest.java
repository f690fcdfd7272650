package dev.wharf.layers.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.luben.zstd.ZstdOutputStream;
import dev.wharf.layers.MediaTypes.Compression;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class DecompressorsTest {
    private static final byte[] DATA = "layer content ".repeat(1000).getBytes(StandardCharsets.US_ASCII);

    @Test
    void gzipZstdAndPlain_areRecognisedByTheirFirstBytes() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(DATA);
        }
        ByteArrayOutputStream zst = new ByteArrayOutputStream();
        try (OutputStream out = new ZstdOutputStream(zst)) {
            out.write(DATA);
        }
        assertEquals(Compression.GZIP, detect(gz.toByteArray()));
        assertEquals(Compression.ZSTD, detect(zst.toByteArray()));
        assertEquals(Compression.NONE, detect(DATA));
        assertEquals(Compression.NONE, detect(new byte[] {0x1f}));
        assertEquals(Compression.NONE, detect(new byte[0]));
        for (byte[] encoded : new byte[][] {gz.toByteArray(), zst.toByteArray(), DATA}) {
            try (InputStream in = Decompressors.open(new ByteArrayInputStream(encoded))) {
                assertArrayEquals(DATA, in.readAllBytes());
            }
        }
    }

    @Test
    void detectingLeavesTheStreamWhereItWas() throws Exception {
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(DATA));
        Decompressors.detect(in);
        assertArrayEquals(DATA, in.readAllBytes());
    }

    private static Compression detect(byte[] bytes) throws IOException {
        return Decompressors.detect(new BufferedInputStream(new ByteArrayInputStream(bytes)));
    }
}
