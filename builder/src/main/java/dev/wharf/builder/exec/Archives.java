package dev.wharf.builder.exec;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.layer.LayerApplier;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Local archives for {@code ADD}: recognised by content (a tar header's {@code ustar} magic, after gzip or zstd
 * decompression), not by name, as BuildKit's {@code AttemptUnpack} does. bzip2 and xz archives are not recognised
 * yet and are copied as files. Stateless.
 */
final class Archives {
    private static final int MAGIC_OFFSET = 257;

    private Archives() {
    }

    /** True when {@code file} is a (possibly compressed) tar archive. */
    static boolean isTar(Path file) throws IOException {
        try (InputStream in = Decompressors.open(new FileInputStream(file.toFile()))) {
            byte[] header = in.readNBytes(512);
            return header.length == 512
                    && new String(header, MAGIC_OFFSET, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (IOException e) {
            // A file that looks compressed but is not readable as such is not an archive: it is copied.
            return false;
        }
    }

    /** Unpacks the archive into {@code dir}, confined to it. */
    static void unpack(Path archive, Path dir, LayerApplier applier) throws IOException, LayerException {
        try (InputStream in = new FileInputStream(archive.toFile())) {
            applier.apply(in, dir);
        }
    }
}
