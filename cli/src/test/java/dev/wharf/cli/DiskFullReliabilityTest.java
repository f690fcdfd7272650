package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: the store lives on a small tmpfs that fills up during a build, while writing the layer of a large COPY and
 * while a RUN step writes. Must hold: the build fails with an error that says no space is left and names the store,
 * no partial blob is visible (doctor finds the store healthy), and after space is freed the same build succeeds.
 */
@Tag("reliability")
class DiskFullReliabilityTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path work;
    Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            ReliabilityFixture.run("umount", mount.toString());
        }
    }

    @Test
    void fullStore_failsClearly_leavesNoPartialBlob_andWorksAgainOnceSpaceIsFreed() throws Exception {
        CliHarness.importBusybox(work, work.resolve("seed"));
        mount = Files.createDirectories(work.resolve("small"));
        ReliabilityFixture.run("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", mount.toString());
        Path root = mount.resolve("store");
        ReliabilityFixture.run("cp", "-a", work.resolve("seed").toString(), root.toString());

        Path context = Files.createDirectories(work.resolve("ctx"));
        byte[] big = new byte[(int) (9 * MIB)];
        new Random(3).nextBytes(big);
        Files.write(context.resolve("big"), big);
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nCOPY big /big\n");
        // Unpack the base once, then leave room for the copy (9 MiB) but not for its layer as well.
        Path warmContext = Files.createDirectories(work.resolve("warm-ctx"));
        Files.writeString(warmContext.resolve("Dockerfile"), "FROM busybox:latest\nRUN touch /warm\n");
        Outcome warm = wharf("build", "--root", root.toString(), warmContext.toString());
        assertEquals(0, warm.exitCode(), warm.err());
        Path filler = mount.resolve("filler");
        fill(filler, mount.toFile().getUsableSpace() - 14 * MIB);

        Outcome full = wharf("build", "--root", root.toString(), context.toString());
        assertEquals(1, full.exitCode(), full.err());
        String message = full.err().toLowerCase(Locale.ROOT);
        assertTrue(message.contains("no space left"), full.err());
        assertTrue(full.err().contains(root.toString()), "the error names the store: " + full.err());
        assertNoPartialBlob(root);

        Path runContext = Files.createDirectories(work.resolve("run-ctx"));
        Files.writeString(runContext.resolve("Dockerfile"),
                "FROM busybox:latest\nRUN dd if=/dev/zero of=/fill bs=1M count=64\n");
        Outcome runFull = wharf("build", "--root", root.toString(), runContext.toString());
        assertEquals(1, runFull.exitCode(), runFull.err());
        assertTrue(runFull.err().toLowerCase(Locale.ROOT).contains("no space left"), runFull.err());
        assertNoPartialBlob(root);

        Files.delete(filler);
        Outcome again = wharf("build", "--root", root.toString(), context.toString());
        assertEquals(0, again.exitCode(), again.err());
        Outcome doctor = wharf("doctor", "--root", root.toString());
        assertEquals(0, doctor.exitCode(), doctor.out());
    }

    private static void assertNoPartialBlob(Path root) throws IOException {
        Outcome doctor = wharf("doctor", "--root", root.toString());
        assertEquals(0, doctor.exitCode(), "after a full disk: " + doctor.out() + doctor.err());
        try (Stream<Path> staged = Files.list(root.resolve("ingest"))) {
            assertEquals(List.of(), staged.toList(), "staged files left after the failed write");
        }
    }

    private static void fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written + chunk.length <= bytes; written += chunk.length) {
                out.write(chunk);
            }
        }
    }
}
