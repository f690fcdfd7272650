package dev.wharf.builder.exec;

import dev.wharf.layers.LayerException;
import dev.wharf.context.sources.ArchiveFormat;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import dev.wharf.layers.tar.TarWriter;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Local archives for {@code ADD}: recognised by content, not by name, as BuildKit's {@code isArchivePath}
 * (solver/llbsolver/file/unpack.go) does: gzip, bzip2, xz or zstd compression by magic number (go-archive's
 * {@code DecompressStream}), then a first tar header that Go's tar reader accepts (a valid checksum; old v7
 * archives without the {@code ustar} magic count). Stateless.
 */
final class Archives {
    private static final int BLOCK = 512;
    private static final int BUFFER = 64 * 1024;

    private Archives() {
    }

    /** True when {@code file} is a (possibly compressed) tar archive. */
    static boolean isTar(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return ArchiveFormat.isTarHeader(in.readNBytes(BLOCK));
        } catch (IOException e) {
            // A file that looks compressed but is not readable as such is not an archive: it is copied.
            return false;
        }
    }

    /** Unpacks the archive into {@code dir}, its entries' directories resolved by {@code directories}. */
    static void unpack(Path archive, Path dir, LayerApplier applier, LayerApplier.Directories directories)
            throws IOException, LayerException {
        try (InputStream in = open(archive)) {
            applier.apply(in, dir, directories);
        }
    }

    /**
     * Unpacks the archive into {@code dir} with every entry owned by {@code uid:gid}: ADD --chown of an archive,
     * which BuildKit applies to the unpacked files since 46e52f472 (BuildKit 0.23, unpack.go's ChownOpts). The
     * re-owned tar is staged in {@code scratch} and deleted.
     */
    static void unpack(Path archive, Path dir, LayerApplier applier, LayerApplier.Directories directories, int uid,
                       int gid, Path scratch) throws IOException, LayerException {
        Path owned = Files.createTempFile(scratch, "add-", ".tar");
        try {
            try (InputStream in = open(archive); OutputStream out = Files.newOutputStream(owned)) {
                TarReader reader = new TarReader(in);
                TarWriter writer = new TarWriter(out);
                byte[] buffer = new byte[BUFFER];
                for (var next = reader.next(); next.isPresent(); next = reader.next()) {
                    TarEntry e = next.get();
                    writer.putEntry(new TarEntry(e.name(), e.type(), e.mode(), uid, gid, e.size(), e.mtime(),
                            e.linkName(), e.devMajor(), e.devMinor(), e.xattrs()));
                    InputStream content = reader.content();
                    for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
                        writer.write(buffer, 0, n);
                    }
                }
                writer.finish();
            }
            try (InputStream in = Files.newInputStream(owned)) {
                applier.apply(in, dir, directories);
            }
        } finally {
            Files.deleteIfExists(owned);
        }
    }

    /** The archive's uncompressed bytes. */
    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(new FileInputStream(file.toFile()), BUFFER);
        return ArchiveFormat.detect(in).decompress(in);
    }
}
