package dev.wharf.context.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import dev.wharf.context.ContextException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TarContextSourceTest {

    enum Codec { NONE, GZIP, BZIP2, XZ, ZSTD }

    @TempDir
    Path tmp;

    private static byte[] tar(String... nameThenContent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < nameThenContent.length; i += 2) {
                byte[] data = nameThenContent[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(nameThenContent[i]);
                e.setSize(data.length);
                out.putArchiveEntry(e);
                out.write(data);
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] compress(byte[] data, Codec codec) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = switch (codec) {
            case NONE -> bytes;
            case GZIP -> new GZIPOutputStream(bytes);
            case BZIP2 -> new BZip2CompressorOutputStream(bytes);
            case XZ -> new XZCompressorOutputStream(bytes);
            case ZSTD -> new ZstdOutputStream(bytes);
        }) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aTarStream_isExtractedWhateverItsCompression(Codec codec) throws Exception {
        byte[] archive = compress(tar("Dockerfile", "FROM scratch\n", "dir/a.txt", "hello"), codec);
        Path root;
        try (OpenedContext ctx = TarContextSource.stdin(new ByteArrayInputStream(archive), tmp.resolve("work"),
                PosixFiles.system()).open()) {
            root = ctx.root();
            assertEquals("FROM scratch\n", Files.readString(root.resolve("Dockerfile")));
            assertEquals("hello", Files.readString(root.resolve("dir/a.txt")));
            assertTrue(root.startsWith(tmp.resolve("work")));
        }
        assertFalse(Files.exists(root), "close deletes the extracted context");
    }

    @Test
    void anArchiveFile_canBeOpenedTwice() throws Exception {
        Path file = tmp.resolve("ctx.tar.gz");
        Files.write(file, compress(tar("x", "1"), Codec.GZIP));
        TarContextSource source = TarContextSource.archive(file, tmp.resolve("work"), PosixFiles.system());
        try (OpenedContext a = source.open(); OpenedContext b = source.open()) {
            assertEquals("1", Files.readString(a.root().resolve("x")));
            assertEquals("1", Files.readString(b.root().resolve("x")));
            assertFalse(a.root().equals(b.root()));
        }
    }

    @Test
    void stdinThatIsNotAnArchive_isADockerfileAlone() throws Exception {
        byte[] dockerfile = "FROM busybox\nRUN true\n".getBytes(StandardCharsets.UTF_8);
        try (OpenedContext ctx = TarContextSource.stdin(new ByteArrayInputStream(dockerfile), tmp,
                PosixFiles.system()).open(); var list = Files.list(ctx.root())) {
            assertEquals("FROM busybox\nRUN true\n", Files.readString(ctx.root().resolve("Dockerfile")));
            assertEquals(1, list.count());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"GZIP", "BZIP2", "XZ", "ZSTD"})
    void aCompressedStreamHoldingNoTar_isTheFileContext_asItCame_notADockerfile(Codec codec) throws Exception {
        // buildx 0.13.1 + BuildKit 0.13 on `docker buildx build - < Dockerfile.gz`: "copy /context /" keeps the
        // upload as the file "context", and the build fails for want of a Dockerfile.
        byte[] compressed = compress("FROM busybox\nRUN true\n".repeat(5_000).getBytes(StandardCharsets.UTF_8),
                codec);
        try (OpenedContext ctx = TarContextSource.stdin(new ByteArrayInputStream(compressed), tmp,
                PosixFiles.system()).open(); var list = Files.list(ctx.root())) {
            assertEquals(java.util.List.of(ctx.root().resolve("context")), list.toList());
            assertTrue(java.util.Arrays.equals(compressed, Files.readAllBytes(ctx.root().resolve("context"))));
        }
    }

    @Test
    void aStreamThatMustBeAnArchive_failsWhenItIsNot_andLeavesNothingBehind() throws Exception {
        Path work = tmp.resolve("work");
        ContextException e = assertThrows(ContextException.class, () -> TarContextSource.stream(
                new ByteArrayInputStream("not a tar".getBytes(StandardCharsets.UTF_8)), work,
                PosixFiles.system()).open());
        assertTrue(e.getMessage().contains("is not a tar archive"), e.getMessage());
        try (var list = Files.list(work)) {
            assertEquals(0, list.count());
        }
    }

    @Test
    void anEntryClimbingOutOfTheRoot_isRefused_andTheTemporaryDirectoryRemoved() throws Exception {
        Path work = tmp.resolve("work");
        byte[] archive = tar("ok", "1", "../../escaped", "evil");
        ContextException e = assertThrows(ContextException.class, () -> TarContextSource.stdin(
                new ByteArrayInputStream(archive), work, PosixFiles.system()).open());
        assertTrue(e.getMessage().startsWith("cannot extract context stream"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escaped")));
        assertFalse(Files.exists(work.getParent().resolve("escaped")));
        try (var list = Files.list(work)) {
            assertEquals(0, list.count());
        }
    }

    @Test
    void aTruncatedCompressedStream_fails() throws Exception {
        byte[] full = compress(tar("a", "x".repeat(10_000)), Codec.GZIP);
        byte[] cut = java.util.Arrays.copyOf(full, full.length / 2);
        assertThrows(ContextException.class, () -> TarContextSource.stdin(new ByteArrayInputStream(cut), tmp,
                PosixFiles.system()).open());
    }

    /** Found by TarContextFuzzTest: the decompressors' EOFException has no message, so these ended in ": null". */
    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"GZIP", "BZIP2", "XZ"})
    void aCompressedStreamCutShort_failsSayingItEnded(Codec codec) throws Exception {
        byte[] full = compress(tar("a", "x".repeat(10_000)), codec);
        for (int length : new int[] {full.length / 2, 8}) {
            byte[] cut = java.util.Arrays.copyOf(full, length);
            ContextException e = assertThrows(ContextException.class, () -> TarContextSource.stream(
                    new ByteArrayInputStream(cut), tmp, PosixFiles.system()).open());
            assertFalse(e.getMessage().endsWith("null"), codec + " cut at " + length + ": " + e.getMessage());
        }
    }

    @Test
    void aStream_canBeOpenedOnlyOnce() throws Exception {
        TarContextSource s = TarContextSource.stdin(new ByteArrayInputStream(tar("a", "1")), tmp,
                PosixFiles.system());
        s.open().close();
        assertThrows(IllegalStateException.class, s::open);
    }

    @Test
    void tarHeaderDetection_needsAValidChecksum() throws Exception {
        byte[] header = java.util.Arrays.copyOf(tar("a", "1"), 512);
        assertTrue(ArchiveFormat.isTarHeader(header));
        header[0] ^= 1;
        assertFalse(ArchiveFormat.isTarHeader(header));
        assertFalse(ArchiveFormat.isTarHeader(new byte[512]), "an all-zero block is an empty archive: not one");
    }
}
