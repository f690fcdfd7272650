package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The byte counts BuildKit shows for its file transfers, measured with dockerd 26's BuildKit
 * ({@code docker build --progress=plain}, files owned by root, 0644, modified in 2026).
 */
class FsutilTransferSizeTest {
    private static final long MTIME = Instant.parse("2026-11-28T22:05:00.123456789Z").getEpochSecond() * 1_000_000_000L
            + 123_456_789L;

    private static FsutilTransferSize.FileStat file(String path, long size) {
        return FsutilTransferSize.stat(path, 0100644, 0, 0, size, MTIME, "");
    }

    @Test
    void aDockerfileOf163Bytes_is202B_andOneOf105Bytes_142B() {
        assertEquals(202, FsutilTransferSize.of(file("Dockerfile", 163), 0, true) + FsutilTransferSize.end());
        assertEquals(142, FsutilTransferSize.of(file("Dockerfile", 105), 0, true) + FsutilTransferSize.end());
    }

    @Test
    void noDockerignore_is2B_andOneOf19Bytes_59B() {
        assertEquals(2, FsutilTransferSize.end());
        assertEquals(59, FsutilTransferSize.of(file(".dockerignore", 19), 0, true) + FsutilTransferSize.end());
    }

    @Test
    void aContextOfOneSixByteFile_is38B_then26BWhenUnchanged() {
        assertEquals(38, FsutilTransferSize.of(file("a.txt", 6), 0, true) + FsutilTransferSize.end());
        assertEquals(26, FsutilTransferSize.of(file("a.txt", 6), 0, false) + FsutilTransferSize.end());
    }

    @Test
    void aWholeContext_countsDirectoriesWithoutSize_andDataIn32KiBPackets_withTheirIds() {
        // .dockerignore (19B), Dockerfile (105B), big.bin (40000B), sub/, sub/f (3B): "40.31kB", then "138B".
        var stats = java.util.List.of(file(".dockerignore", 19), file("Dockerfile", 105), file("big.bin", 40_000),
                FsutilTransferSize.stat("sub", 040755, 0, 0, 4096, MTIME, ""), file("sub/f", 3));
        long first = FsutilTransferSize.end();
        long again = FsutilTransferSize.end();
        for (int id = 0; id < stats.size(); id++) {
            first += FsutilTransferSize.of(stats.get(id), id, true);
            again += FsutilTransferSize.of(stats.get(id), id, false);
        }
        assertEquals(40_310, first); // "40.31kB"
        assertEquals(138, again);
    }

    @Test
    void goModeBits_forDirectoriesAndSymlinks() {
        assertEquals((1L << 31) | 0755, FsutilTransferSize.stat("d", 040755, 0, 0, 0, 0, "").mode());
        assertEquals((1L << 27) | 0777, FsutilTransferSize.stat("l", 0120777, 0, 0, 3, 0, "x").mode());
        assertEquals(0644 | (1L << 23), FsutilTransferSize.stat("s", 0104644, 0, 0, 1, 0, "").mode());
    }

    @Test
    void aLocalExport_countsWhatTheSenderSent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "the files must be owned by root, as the peer's were");
        // FROM scratch; COPY a.txt b.txt link /; COPY sub /sub/ exported with -o type=local: the peer's rawjson
        // "copying files" status ended at current 70172 (a.txt 6B, b.txt 70000B, link 6B: COPY follows a named
        // symlink, sub/ 0755, sub/z 1B).
        java.nio.file.Files.writeString(dir.resolve("a.txt"), "hello\n");
        java.nio.file.Files.writeString(dir.resolve("b.txt"), "x".repeat(70_000));
        java.nio.file.Files.writeString(dir.resolve("link"), "hello\n");
        java.nio.file.Files.createDirectory(dir.resolve("sub"));
        java.nio.file.Files.writeString(dir.resolve("sub/z"), "z");
        for (String file : java.util.List.of("a.txt", "b.txt", "link", "sub/z")) {
            java.nio.file.Files.setPosixFilePermissions(dir.resolve(file),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
        java.nio.file.Files.setPosixFilePermissions(dir.resolve("sub"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        assertEquals(70_172, FsutilTransferSize.sent(dir));
    }
}
