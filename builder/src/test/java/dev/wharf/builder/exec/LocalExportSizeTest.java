package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size of {@code copying files} against the peer's: buildx 0.13.1 on dockerd 26's BuildKit exported
 * <pre>
 * FROM wharf-diff-base AS b
 * RUN mkdir -p /out/d /out/e &amp;&amp; echo hi &gt; /out/d/f &amp;&amp; ln /out/d/f /out/d/hard &amp;&amp; ln -s f /out/d/sym \
 *  &amp;&amp; chown 1000:1000 /out/d/f &amp;&amp; dd if=/dev/zero of=/out/big bs=1k count=70 &amp;&amp; chmod 4755 /out/big \
 *  &amp;&amp; mkfifo /out/e/fifo
 * FROM scratch
 * COPY --from=b /out/ /
 * COPY --chown=65532:65532 ctx.txt /etc/x
 * </pre>
 * with {@code -o type=local} and its rawjson showed {@code "current": 71965} (82 for d/, d/f and d/hard alone). The
 * same tree, as two layers unpacked by the real applier, counts the same; mtimes of this century take the same
 * nine varint bytes as the peer's.
 */
class LocalExportSizeTest {
    private static final long MTIME = 1_795_926_499L;

    @TempDir
    Path dir;

    private static TarEntry entry(String name, TarEntryType type, int mode, long owner, long size, String link) {
        return new TarEntry(name, type, mode, owner, owner, size, MTIME, link, 0, 0, Map.of());
    }

    private static byte[] layer(List<TarEntry> entries, Map<String, byte[]> contents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(bytes);
        for (TarEntry e : entries) {
            tar.putEntry(e);
            byte[] data = contents.get(e.name());
            if (data != null) {
                tar.write(data, 0, data.length);
            }
        }
        tar.finish();
        return bytes.toByteArray();
    }

    private static long exported(Path dest, List<byte[]> layers) throws Exception {
        LayerApplier applier = new LayerApplier(PosixFiles.system()).withoutOwners();
        LocalExportSize size = new LocalExportSize();
        for (byte[] layer : layers) {
            applier.apply(new ByteArrayInputStream(layer), dest);
        }
        for (byte[] layer : layers) {
            size.layer(new ByteArrayInputStream(layer));
        }
        return size.of(dest);
    }

    @Test
    void theResultsTree_countsAsThePeersLocalExporterSentIt() throws Exception {
        byte[] first = layer(List.of(
                entry("big", TarEntryType.REGULAR, 04755, 0, 71680, ""),
                entry("d/", TarEntryType.DIRECTORY, 0755, 0, 0, ""),
                entry("d/f", TarEntryType.REGULAR, 0644, 1000, 3, ""),
                entry("d/hard", TarEntryType.HARDLINK, 0644, 1000, 0, "d/f"),
                entry("d/sym", TarEntryType.SYMLINK, 0777, 0, 0, "f"),
                entry("e/", TarEntryType.DIRECTORY, 0755, 0, 0, ""),
                entry("e/fifo", TarEntryType.FIFO, 0644, 0, 0, ""),
                entry("gone", TarEntryType.REGULAR, 0644, 0, 5, "")),
                Map.of("big", new byte[71680], "d/f", "hi\n".getBytes(StandardCharsets.UTF_8),
                        "gone", "gone\n".getBytes(StandardCharsets.UTF_8)));
        // The second layer deletes gone (a whiteout is no path of the result) and adds etc/x, 65532's.
        byte[] second = layer(List.of(
                entry(".wh.gone", TarEntryType.REGULAR, 0644, 0, 0, ""),
                entry("etc/", TarEntryType.DIRECTORY, 0755, 65532, 0, ""),
                entry("etc/x", TarEntryType.REGULAR, 0644, 65532, 4, "")),
                Map.of("etc/x", "ctx\n".getBytes(StandardCharsets.UTF_8)));
        Path dest = Files.createDirectories(dir.resolve("out"));
        assertEquals(71965, exported(dest, List.of(first, second)));
        assertFalse(Files.exists(dest.resolve("gone")));
    }

    @Test
    void aHardLinksLaterName_keepsTheFilesSize_andFilesTheDirectoryHadBefore_areNotSent() throws Exception {
        byte[] only = layer(List.of(
                entry("d/", TarEntryType.DIRECTORY, 0755, 0, 0, ""),
                entry("d/f", TarEntryType.REGULAR, 0644, 0, 3, ""),
                entry("d/hard", TarEntryType.HARDLINK, 0644, 0, 0, "d/f")),
                Map.of("d/f", "hi\n".getBytes(StandardCharsets.UTF_8)));
        Path dest = Files.createDirectories(dir.resolve("merged"));
        // BuildKit's receiver merges into the directory (ReceiveOpt Merge): what was there is not the sender's.
        Files.writeString(dest.resolve("earlier.txt"), "not the image's\n");
        Files.createDirectories(dest.resolve("d"));
        Files.writeString(dest.resolve("d/earlier"), "x");
        assertEquals(82, exported(dest, List.of(only)));
        assertTrue(Files.exists(dest.resolve("earlier.txt")));
    }
}
