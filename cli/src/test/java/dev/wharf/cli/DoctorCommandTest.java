package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.doctor.StoreDoctor;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import dev.wharf.cli.CliHarness.Outcome;
import dev.wharf.layers.layout.StoreUsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf doctor}: finds corrupt blobs, dangling cache records, stray staged files, stale snapshots and sandbox
 * state in a real store after a real build, repairs what is safe, and leaves live builds' state alone.
 */
class DoctorCommandTest {
    @TempDir
    Path dir;
    Path root;
    Path context;
    List<Path> baseBlobs;

    @BeforeEach
    void buildOnce() throws IOException, InterruptedException {
        root = dir.resolve("store");
        CliHarness.importBusybox(dir, root);
        try (Stream<Path> blobs = Files.list(root.resolve("blobs/sha256"))) {
            baseBlobs = blobs.toList();
        }
        context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox:latest\nCOPY f /f\nRUN echo ran > /ran\n");
        Files.writeString(context.resolve("f"), "content of f\n");
        Outcome built = wharf("build", "--root", root.toString(), "-t", "doc:1", context.toString());
        assertEquals(0, built.exitCode(), built.err());
    }

    private Outcome doctor(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("doctor", "--root", root.toString()));
        args.addAll(List.of(extra));
        return wharf(args.toArray(String[]::new));
    }

    @Test
    void aFreshlyBuiltStore_isHealthy() {
        Outcome checked = doctor();
        assertEquals(0, checked.exitCode(), checked.out() + checked.err());
        assertTrue(checked.out().contains("is healthy"), checked.out());
    }

    @Test
    void corruptLayer_isFoundAndDeleted_theImageStaysBrokenUntilRebuilt() throws IOException {
        Path layer = buildLayer();
        byte[] bytes = Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(layer, bytes);

        Outcome checked = doctor();
        assertEquals(1, checked.exitCode(), checked.out());
        assertTrue(checked.out().contains("problem  corrupt-blob sha256:" + layer.getFileName()), checked.out());
        assertTrue(checked.out().contains("(run wharf doctor --repair)"), checked.out());

        Outcome repaired = doctor("--repair");
        assertEquals(1, repaired.exitCode(), "a tagged image still lacks the layer: " + repaired.out());
        assertTrue(repaired.out().contains("repaired corrupt-blob"), repaired.out());
        assertTrue(repaired.out().contains("problem  missing-blob sha256:" + layer.getFileName()), repaired.out());
        assertFalse(Files.exists(layer));

        Outcome rebuilt = wharf("build", "--root", root.toString(), "-t", "doc:1", context.toString());
        assertEquals(0, rebuilt.exitCode(), rebuilt.err());
        Outcome after = doctor();
        assertEquals(0, after.exitCode(), after.out());
    }

    @Test
    void cacheRecordOfADeletedLayer_isDanglingAndDropped() throws IOException {
        Files.delete(buildLayer());
        Outcome repaired = doctor("--repair");
        assertTrue(repaired.out().contains("repaired dangling-cache-record"), repaired.out());
        Outcome rebuilt = wharf("build", "--root", root.toString(), "-t", "doc:1", "--progress", "plain",
                context.toString());
        assertEquals(0, rebuilt.exitCode(), rebuilt.err());
        assertEquals(0, doctor().exitCode(), doctor().out());
    }

    @Test
    void strayFilesSnapshotsAndSandboxStateOfDeadBuilds_areRepaired_butLeftAloneWhileAnotherUserLives()
            throws Exception {
        Path ingest = Files.writeString(root.resolve("ingest").resolve("blob-123.partial"), "half a layer");
        Path cacheTmp = Files.writeString(root.resolve("cache").resolve("tmp").resolve("rec.json-1.tmp"), "{");
        leaveUncommittedSnapshot("step-killed");
        Path run = Files.createDirectories(root.resolve("state/sandbox/builtin/wharf-0123456789abcdef01234567"));
        Files.writeString(run.resolve(".lock"), "");

        try (StoreUsers.Registration live = StoreDoctor.users(root).register()) {
            Outcome whileLive = doctor("--repair");
            assertFalse(whileLive.out().contains("step-killed"), "a live user's snapshot: " + whileLive.out());
            assertTrue(whileLive.out().contains("note: other wharf processes use this store"), whileLive.out());
            assertTrue(Files.exists(ingest), "a fresh staged file may belong to the live user");
            assertFalse(Files.exists(run), "a run whose lock is free is dead whoever else lives");
        }
        Outcome checked = doctor();
        assertEquals(1, checked.exitCode(), checked.out());
        assertTrue(checked.out().contains("problem  stray-temp-file " + ingest), checked.out());
        assertTrue(checked.out().contains("problem  stray-temp-file " + cacheTmp), checked.out());
        assertTrue(checked.out().contains("problem  stale-snapshot step-killed"), checked.out());

        Outcome repaired = doctor("--repair");
        assertEquals(0, repaired.exitCode(), repaired.out());
        assertFalse(Files.exists(ingest));
        assertFalse(Files.exists(cacheTmp));
        assertEquals(0, doctor().exitCode(), doctor().out());
    }

    @Test
    void theNextBuild_cleansWhatAKilledBuildLeft() throws IOException {
        Path ingest = Files.writeString(root.resolve("ingest").resolve("blob-9.partial"), "half");
        leaveUncommittedSnapshot("step-killed");
        Outcome built = wharf("build", "--root", root.toString(), context.toString());
        assertEquals(0, built.exitCode(), built.err());
        assertFalse(Files.exists(ingest));
        Outcome checked = doctor();
        assertEquals(0, checked.exitCode(), checked.out());
    }

    /**
     * A snapshot prepared by a process that ended without committing or removing it; the snapshotter is closed, as
     * a process that ends closes it or (killed) leaves its user marker unlocked, either of which asks for a sweep.
     */
    private void leaveUncommittedSnapshot(String key) throws IOException {
        try (OverlaySnapshotter snapshotter = new OverlaySnapshotter(root.resolve("snapshots"))) {
            snapshotter.prepare(key, null);
        }
    }

    @Test
    void truncatedIndex_failsCommandsNamingTheFile_doctorKeepsItAsideAndRecoversTheNamesBeforeTheTear()
            throws IOException {
        Path index = root.resolve("index.json");
        String whole = Files.readString(index);
        int second = whole.indexOf("doc:1");
        assertTrue(whole.indexOf("busybox") < second && second > 0, "busybox is named first: " + whole);
        // A torn write: the file ends inside the second entry.
        String torn = whole.substring(0, second - 20);
        Files.writeString(index, torn);
        long blobCount = blobCount();

        Outcome images = wharf("images", "--root", root.toString());
        assertEquals(1, images.exitCode(), images.out());
        assertTrue(images.err().contains(index + " is damaged"), images.err());
        assertTrue(images.err().contains("run wharf doctor --repair"), images.err());

        Outcome checked = doctor();
        assertEquals(1, checked.exitCode(), checked.out() + checked.err());
        assertTrue(checked.out().contains("problem  damaged-index " + index + ": it does not parse"),
                checked.out());
        assertTrue(checked.out().contains("busybox:latest"), "the name it still holds: " + checked.out());
        assertEquals(torn, Files.readString(index), "the check alone changes nothing");

        Outcome repaired = doctor("--repair");
        assertEquals(0, repaired.exitCode(), repaired.out() + repaired.err());
        assertTrue(repaired.out().contains("repaired damaged-index " + index), repaired.out());
        assertTrue(repaired.out().contains("the other image names are lost"), repaired.out());
        List<Path> kept = damagedCopies();
        assertEquals(1, kept.size(), kept.toString());
        assertEquals(torn, Files.readString(kept.get(0)), "the damaged file is kept for the user");
        assertEquals(blobCount, blobCount(), "the repair collects no blob");

        Outcome listed = wharf("images", "--root", root.toString(), "--format", "{{.Repository}}:{{.Tag}}");
        assertEquals(0, listed.exitCode(), listed.err());
        assertTrue(listed.out().contains("busybox:latest"), listed.out());
        assertFalse(listed.out().contains("doc:1"), "a lost name is not invented: " + listed.out());
        Outcome rebuilt = wharf("build", "--root", root.toString(), "-t", "doc:1", context.toString());
        assertEquals(0, rebuilt.exitCode(), rebuilt.err());
        assertEquals(0, doctor().exitCode(), doctor().out());
    }

    @Test
    void emptyOrGarbageIndex_isReplacedByAnEmptyOne_andNoBlobIsCollected() throws IOException {
        Path index = root.resolve("index.json");
        long blobCount = blobCount();
        for (byte[] damage : List.of(new byte[0], new byte[] {0, 0, 0, 0, (byte) 0xff, 0x12})) {
            Files.write(index, damage);
            Outcome build = wharf("build", "--root", root.toString(), "-t", "doc:2", context.toString());
            assertEquals(1, build.exitCode(), build.out());
            assertTrue(build.err().contains(index + " is damaged"), build.err());

            Outcome checked = doctor();
            assertEquals(1, checked.exitCode(), checked.out() + checked.err());
            assertTrue(checked.out().contains("problem  damaged-index " + index + ": "
                    + (damage.length == 0 ? "it is empty" : "it does not parse")), checked.out());

            Outcome repaired = doctor("--repair");
            assertEquals(0, repaired.exitCode(), repaired.out() + repaired.err());
            assertEquals(blobCount, blobCount(), "the repair collects no blob");
            Outcome listed = wharf("images", "--root", root.toString(), "--format", "{{.Repository}}:{{.Tag}}");
            assertEquals(0, listed.exitCode(), listed.err());
            assertEquals("", listed.out(), "no name is invented");
        }
        assertEquals(2, damagedCopies().size());
    }

    private long blobCount() throws IOException {
        try (Stream<Path> blobs = Files.list(root.resolve("blobs/sha256"))) {
            return blobs.count();
        }
    }

    private List<Path> damagedCopies() throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(f -> f.getFileName().toString().startsWith("index.json.damaged-")).toList();
        }
    }

    @Test
    void aDirectoryThatIsNoStore_isAnError() {
        Outcome checked = wharf("doctor", "--root", dir.resolve("nothing").toString());
        assertEquals(1, checked.exitCode());
        assertTrue(checked.err().contains("is not a wharf store"), checked.err());
    }

    /** A layer the build wrote (the RUN's or the COPY's): the one blob both a cache record and doc:1 use. */
    private Path buildLayer() throws IOException {
        String records;
        try (Stream<Path> files = Files.list(root.resolve("cache/records"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.toList()) {
                all.append(Files.readString(f));
            }
            records = all.toString();
        }
        try (Stream<Path> blobs = Files.list(root.resolve("blobs/sha256"))) {
            return blobs.filter(b -> !baseBlobs.contains(b) && records.contains("sha256:" + b.getFileName()))
                    .findFirst().orElseThrow();
        }
    }
}
