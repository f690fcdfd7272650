package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADD recognises local archives by content as BuildKit's isArchivePath does (go-archive's DecompressStream). */
class ArchivesTest {
    @TempDir
    Path temp;

    private Path tar(String name, java.util.function.Function<OutputStream, OutputStream> compress) throws Exception {
        Path file = temp.resolve(name);
        try (OutputStream raw = Files.newOutputStream(file); OutputStream out = compress.apply(raw);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] data = "hello\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("hello.txt");
            entry.setSize(data.length);
            tar.putArchiveEntry(entry);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        return file;
    }

    @Test
    void bzip2AndXzTars_areArchives_plainTextIsNot() throws Exception {
        assertTrue(Archives.isTar(tar("a.tar.bz2", out -> {
            try {
                return new BZip2CompressorOutputStream(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })));
        assertTrue(Archives.isTar(tar("a.tar.xz", out -> {
            try {
                return new XZCompressorOutputStream(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })));
        assertTrue(Archives.isTar(tar("a.tar", out -> out)));
        assertFalse(Archives.isTar(Files.writeString(temp.resolve("text.tar"), "just text\n")));
    }

    @Test
    void unpackWithAnOwner_ownsEveryEntryByIt_likeAddChown() throws Exception {
        dev.wharf.builder.testing.HostRequirements.requireRoot();
        Path archive = tar("owned.tar", out -> out);
        Path dir = java.nio.file.Files.createDirectories(temp.resolve("into"));
        Archives.unpack(archive, dir, new dev.wharf.layers.layer.LayerApplier(dev.wharf.layers.posix.PosixFiles.system()),
                null, 4321, 8765, temp);
        org.junit.jupiter.api.Assertions.assertEquals(4321, Files.getAttribute(dir.resolve("hello.txt"), "unix:uid"));
        org.junit.jupiter.api.Assertions.assertEquals(8765, Files.getAttribute(dir.resolve("hello.txt"), "unix:gid"));
        org.junit.jupiter.api.Assertions.assertEquals("hello\n", Files.readString(dir.resolve("hello.txt")));
        try (var left = Files.list(temp)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("add-")), "the staged tar is gone");
        }
    }
}
