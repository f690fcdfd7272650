package dev.wharf.layers.blob;

import static dev.wharf.layers.blob.BlobTestSupport.bytes;
import static dev.wharf.layers.blob.BlobTestSupport.countFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileBlobStore}: the {@link BlobStoreContractTest} contract plus what is specific to files on disk. */
class FileBlobStoreTest extends BlobStoreContractTest {
    @TempDir
    Path root;

    @Override
    BlobStore newStore() throws Exception {
        return FileBlobStore.open(root);
    }

    @Override
    void corrupt(BlobStore store, Digest digest, byte[] replacement) throws Exception {
        Path file = root.resolve("blobs/" + digest.algorithm().ociName() + "/" + digest.hex());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(file, replacement);
    }

    @Test
    void open_createsAnOciImageLayout() throws Exception {
        FileBlobStore.open(root);
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}",
                Files.readString(root.resolve("oci-layout"), StandardCharsets.UTF_8));
        assertTrue(Files.isDirectory(root.resolve("blobs/sha256")));
        assertTrue(Files.isDirectory(root.resolve("ingest")));
    }

    @Test
    void open_ofADamagedLayoutFile_namesTheFile_andShowsItsHeadPrintably() throws Exception {
        byte[] garbage = new byte[300];
        new java.util.Random(3).nextBytes(garbage);
        garbage[0] = (byte) 0xb0; // not UTF-8: reading it as a string failed with "Input length = 1"
        for (byte[] damaged : List.of(garbage, new byte[0], new byte[4096 * 3])) {
            Files.write(root.resolve("oci-layout"), damaged);
            LayerException e = assertThrows(LayerException.class, () -> FileBlobStore.open(root));
            assertTrue(e.getMessage().startsWith(root.resolve("oci-layout") + " does not declare"), e.getMessage());
            assertTrue(e.getMessage().contains("{\"imageLayoutVersion\":\"1.0.0\"}"), e.getMessage());
            assertTrue(e.getMessage().chars().noneMatch(c -> Character.isISOControl(c) || c == 0xFFFD),
                    e.getMessage());
            assertTrue(e.getMessage().length() < 400, e.getMessage());
        }
    }

    @Test
    void open_rejectsADirectoryWithAnotherLayoutVersion() throws Exception {
        Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
        LayerException e = assertThrows(LayerException.class, () -> FileBlobStore.open(root));
        assertTrue(e.getMessage().contains("oci-layout"), e.getMessage());
        assertTrue(e.getMessage().contains("choose another root"), e.getMessage());
    }

    @Test
    void open_isIdempotentAndKeepsBlobs() throws Exception {
        Digest digest = FileBlobStore.open(root).put(bytes("hello")).digest();
        assertTrue(FileBlobStore.open(root).exists(digest));
    }

    @Test
    void largeBlobs_flushedAheadWhileWritten_commitWholeAndLeaveNoThreadBehind() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        // 40 MiB in pieces of several sizes: past two early flushes, the second possibly still running at commit.
        byte[] piece = new byte[300_001];
        java.util.Random random = new java.util.Random(7);
        java.security.MessageDigest expected = java.security.MessageDigest.getInstance("SHA-256");
        long size = 0;
        BlobInfo info;
        try (BlobWriter writer = store.writer()) {
            for (int i = 0; size < 40L << 20; i++) {
                random.nextBytes(piece);
                int length = i % 3 == 0 ? piece.length : 1 + i % 50_000;
                writer.write(piece, 0, length);
                expected.update(piece, 0, length);
                size += length;
            }
            info = writer.commit();
        }
        assertEquals(Digest.fromHash(dev.wharf.layers.DigestAlgorithm.SHA256, expected.digest()), info.digest());
        assertEquals(size, info.size());
        assertEquals(size, Files.size(root.resolve("blobs/sha256/" + info.digest().hex())));
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("wharf-blob-sync")),
                "an early flush's thread outlived the commit");
    }

    @Test
    void largeBlobs_discardedWhileFlushedAhead_leaveNothingBehind() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] piece = new byte[1 << 20];
        try (BlobWriter writer = store.writer()) {
            for (int i = 0; i < 40; i++) {
                writer.write(piece, 0, piece.length);
            }
        }
        assertEquals(0, countFiles(root.resolve("ingest")));
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("wharf-blob-sync")),
                "an early flush's thread outlived the discard");
    }

    @Test
    void commit_publishesAReadOnlyFileUnderBlobsAndEmptiesIngest() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(bytes("published")).digest();
        Path file = root.resolve("blobs/sha256/" + digest.hex());
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(0, countFiles(root.resolve("ingest")));
    }

    @Test
    void failedCommits_leaveNoFilesInIngestOrBlobs() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("data"));
            assertThrows(LayerException.class, () -> writer.commit(4, Digest.sha256Of(bytes("other"))));
        }
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("data"));
            assertThrows(LayerException.class, () -> writer.commit(5, null));
        }
        try (BlobWriter writer = store.writer(); BlobWriter second = store.writer()) {
            writer.write(bytes("abandoned"));
            writer.flush();
            // Each writer stages its own owner-only file (as Files.createTempFile would make it).
            assertEquals(2, countFiles(root.resolve("ingest")));
            try (var staged = Files.list(root.resolve("ingest"))) {
                for (Path file : staged.toList()) {
                    assertTrue(file.getFileName().toString().matches("blob-[0-9]+\\.partial"), file.toString());
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                }
            }
        }
        assertEquals(0, countFiles(root.resolve("ingest")));
        assertEquals(0, countFiles(root.resolve("blobs/sha256")));
    }

    @Test
    void corruptionMessage_namesTheFileToDelete() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(bytes("original")).digest();
        corrupt(store, digest, bytes("damaged"));
        try (InputStream in = store.open(digest)) {
            LayerException e = assertThrows(LayerException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains(root.resolve("blobs/sha256/" + digest.hex()).toString()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Delete that file"), e.getMessage());
        }
    }

    @Test
    void missingBlobMessage_namesTheStoreRoot() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        BlobNotFoundException e = assertThrows(BlobNotFoundException.class,
                () -> store.open(Digest.sha256Of(bytes("none"))));
        assertTrue(e.getMessage().contains(root.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void commit_recordsTheStoreClockAsTheCommitTime() throws Exception {
        Instant then = Instant.parse("2029-02-03T04:05:06Z");
        FileBlobStore store = FileBlobStore.open(root,
                BlobStoreOptions.defaults().withClock(Clock.fixed(then, ZoneOffset.UTC)));
        Digest digest = store.put(bytes("new")).digest();
        assertEquals(then, store.info(digest).orElseThrow().committedAt());
    }

    @Test
    void commit_ofContentAlreadyStoredRefreshesItsCommitTime() throws Exception {
        Instant later = Instant.parse("2030-01-01T00:00:00Z");
        BlobInfo first = FileBlobStore.open(root).put(bytes("same"));
        FileBlobStore laterStore = FileBlobStore.open(root,
                BlobStoreOptions.defaults().withClock(Clock.fixed(later, ZoneOffset.UTC)));
        assertEquals(later, laterStore.put(bytes("same")).committedAt());
        assertTrue(first.committedAt().isBefore(later));
    }

    @Test
    void walk_skipsFilesWhoseNamesAreNotDigests() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(bytes("real")).digest();
        Files.writeString(root.resolve("blobs/sha256/not-a-digest"), "junk");
        assertEquals(List.of(digest), walk(store));
    }

    @Test
    void open_sweepsStagedFilesAbandonedLongerThanTheStaleAge() throws Exception {
        FileBlobStore.open(root);
        Instant now = Instant.parse("2030-06-01T12:00:00Z");
        Path stale = Files.writeString(root.resolve("ingest/blob-crashed.partial"), "partial");
        Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofHours(25))));
        Path fresh = Files.writeString(root.resolve("ingest/blob-running.partial"), "partial");
        Files.setLastModifiedTime(fresh, FileTime.from(now.minus(Duration.ofMinutes(5))));
        FileBlobStore.open(root, new BlobStoreOptions(Clock.fixed(now, ZoneOffset.UTC), Duration.ofHours(24)));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }
}
