package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A layer's size as Docker's graph drivers measure it once unpacked (pkg/directory Size). */
class LayerContentSizeTest {
    @Test
    void countsFilesAndSymlinkTargets_notHardLinksDirectoriesOrWhiteouts_compressedOrNot() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarWriter writer = new TarWriter(tar);
        writer.putEntry(entry("d/", TarEntryType.DIRECTORY, 0, ""));
        byte[] content = "0123456789".getBytes(StandardCharsets.UTF_8);
        writer.putEntry(entry("d/file", TarEntryType.REGULAR, content.length, ""));
        writer.write(content, 0, content.length);
        writer.putEntry(entry("d/hard", TarEntryType.HARDLINK, 0, "d/file"));
        writer.putEntry(entry("d/sym", TarEntryType.SYMLINK, 0, "target"));
        writer.putEntry(entry("d/.wh.gone", TarEntryType.REGULAR, 0, ""));
        writer.finish();
        assertEquals(16, LayerContentSize.of(new ByteArrayInputStream(tar.toByteArray())));
        ByteArrayOutputStream gzip = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
            out.write(tar.toByteArray());
        }
        assertEquals(16, LayerContentSize.of(new ByteArrayInputStream(gzip.toByteArray())));
    }

    private static TarEntry entry(String name, TarEntryType type, long size, String link) {
        return new TarEntry(name, type, type == TarEntryType.DIRECTORY ? 0755 : 0644, 0, 0, size, 0, link, 0, 0,
                Map.of());
    }
}
