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

    /**
     * buildx 0.13.1 on the peer, a 26-byte Dockerfile (63B alone): with an empty Dockerfile.dockerignore beside it
     * {@code transferring dockerfile: 107B}, with one of {@code *.txt\n} 121B; dockerui fetches both in one
     * transfer, the ignore file second.
     */
    @Test
    void aDockerfilesOwnIgnoreFile_comesInTheDockerfilesTransfer(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertEquals(63, FsutilTransferSize.of(file("Dockerfile", 26), 0, true) + FsutilTransferSize.end());
        assertEquals(44, FsutilTransferSize.of(file("Dockerfile.dockerignore", 0), 1, true));
        assertEquals(58, FsutilTransferSize.of(file("Dockerfile.dockerignore", 6), 1, true));

        java.nio.file.Path dockerfile = java.nio.file.Files.writeString(dir.resolve("Dockerfile"), "FROM x\n");
        java.nio.file.Path ignore = dir.resolve("Dockerfile.dockerignore");
        long alone = FsutilTransferSize.singleFile(dockerfile, "Dockerfile");
        assertEquals(alone, FsutilTransferSize.dockerfile(dockerfile, "Dockerfile", ignore));
        java.nio.file.Files.writeString(ignore, "");
        assertEquals(alone + FsutilTransferSize.of(FsutilTransferSize.stat(ignore, "Dockerfile.dockerignore"), 1, true),
                FsutilTransferSize.dockerfile(dockerfile, "Dockerfile", ignore));
    }

    @Test
    void goModeBits_forDirectoriesAndSymlinks() {
        assertEquals((1L << 31) | 0755, FsutilTransferSize.stat("d", 040755, 0, 0, 0, 0, "").mode());
        assertEquals((1L << 27) | 0777, FsutilTransferSize.stat("l", 0120777, 0, 0, 3, 0, "x").mode());
        assertEquals(0644 | (1L << 23), FsutilTransferSize.stat("s", 0104644, 0, 0, 1, 0, "").mode());
    }
}
