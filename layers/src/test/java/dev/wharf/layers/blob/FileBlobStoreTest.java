package dev.wharf.layers.blob;

import static dev.wharf.layers.blob.BlobTestSupport.bytes;
import static dev.wharf.layers.blob.BlobTestSupport.content;
import static dev.wharf.layers.blob.BlobTestSupport.countFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest {
    @TempDir
    Path root;

    @Test
    void open_createsAnOciImageLayout() throws Exception {
        FileBlobStore.open(root);
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}",
                Files.readString(root.resolve("oci-layout"), StandardCharsets.UTF_8));
        assertTrue(Files.isDirectory(root.resolve("blobs/sha256")));
        assertTrue(Files.isDirectory(root.resolve("ingest")));
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
    void commit_publishesReadOnlyBlobThatReadsBack() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] data = content(300_000, 1);
        Digest expected = Digest.sha256Of(data);
        BlobInfo info;
        try (BlobWriter writer = store.writer()) {
            writer.write(data[0]);
            writer.write(data, 1, 99);
            writer.write(data, 100, 100_000);
            writer.write(data, 100_100, data.length - 100_100);
            assertEquals(data.length, writer.size());
            assertEquals(expected, writer.digest());
            info = writer.commit(data.length, expected);
        }
        assertEquals(expected, info.digest());
        assertEquals(data.length, info.size());
        Path file = root.resolve("blobs/sha256/" + expected.hex());
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (InputStream in = store.open(expected)) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertEquals(data.length, store.info(expected).orElseThrow().size());
        assertTrue(store.exists(expected));
        assertEquals(0, countFiles(root.resolve("ingest")));
    }

    @Test
    void commit_rejectsWrongDigestAndLeavesNothingVisible() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] data = bytes("actual content");
        Digest claimed = Digest.sha256Of(bytes("claimed content"));
        BlobWriter writer = store.writer();
        writer.write(data);
        LayerException e = assertThrows(LayerException.class, () -> writer.commit(data.length, claimed));
        assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(claimed.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(Digest.sha256Of(data).toString()), e.getMessage());
        writer.close();
        assertEquals(0, countFiles(root.resolve("blobs/sha256")));
        assertEquals(0, countFiles(root.resolve("ingest")));
        assertFalse(store.exists(claimed));
        assertFalse(store.exists(Digest.sha256Of(data)));
    }

    @Test
    void commit_rejectsWrongSizeAndLeavesNothingVisible() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        byte[] data = bytes("twelve bytes");
        try (BlobWriter writer = store.writer()) {
            writer.write(data);
            LayerException e = assertThrows(LayerException.class,
                    () -> writer.commit(data.length + 1, Digest.sha256Of(data)));
            assertTrue(e.getMessage().contains("size mismatch: expected 13 bytes"), e.getMessage());
        }
        assertEquals(0, countFiles(root.resolve("blobs/sha256")));
        assertEquals(0, countFiles(root.resolve("ingest")));
    }

    @Test
    void commit_ofContentAlreadyStoredSucceeds() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        BlobInfo first = store.put(bytes("same"));
        BlobInfo second = store.put(bytes("same"));
        assertEquals(first.digest(), second.digest());
        assertEquals(1, countFiles(root.resolve("blobs/sha256")));
        assertEquals(0, countFiles(root.resolve("ingest")));
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
    void commit_withoutExpectationUsesTheComputedDigest() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("produced"));
            assertEquals(Digest.sha256Of(bytes("produced")), writer.commit().digest());
        }
    }

    @Test
    void close_withoutCommitDiscardsTheStagedFile() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("abandoned"));
            writer.flush();
            assertEquals(1, countFiles(root.resolve("ingest")));
        }
        assertEquals(0, countFiles(root.resolve("ingest")));
        assertEquals(0, countFiles(root.resolve("blobs/sha256")));
    }

    @Test
    void write_afterCommitFails() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("x"));
            writer.commit();
            assertThrows(IOException.class, () -> writer.write(1));
            assertThrows(IllegalStateException.class, writer::commit);
        }
    }

    @Test
    void open_detectsACorruptedBlobWhenTheStreamEnds() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(bytes("original content")).digest();
        Path file = corrupt(digest, "tampered content");
        try (InputStream in = store.open(digest)) {
            LayerException e = assertThrows(LayerException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("is corrupted"), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("Delete that file"), e.getMessage());
            // Swallowing the first error must not let a second read finish cleanly.
            assertThrows(LayerException.class, in::read);
        }
        assertThrows(LayerException.class, () -> store.verify(digest));
        assertThrows(LayerException.class, () -> store.readAllBytes(digest, 1024));
    }

    @Test
    void open_detectsATruncatedBlob() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(bytes("content that will be cut short")).digest();
        corrupt(digest, "content");
        try (InputStream in = store.open(digest)) {
            assertThrows(LayerException.class, () -> in.transferTo(java.io.OutputStream.nullOutputStream()));
        }
    }

    @Test
    void verify_passesForAnIntactBlob() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(content(100_000, 7)).digest();
        store.verify(digest);
        try (InputStream in = store.open(digest)) {
            assertEquals(100_000, in.skip(1_000_000));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void open_ofAMissingBlobThrowsBlobNotFound() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = Digest.sha256Of(bytes("never stored"));
        BlobNotFoundException e = assertThrows(BlobNotFoundException.class, () -> store.open(digest));
        assertEquals(digest, e.digest());
        assertTrue(e.getMessage().contains(root.toAbsolutePath().toString()), e.getMessage());
        assertTrue(store.info(digest).isEmpty());
    }

    @Test
    void readAllBytes_refusesBlobsLargerThanTheLimit() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(content(5000, 3)).digest();
        LayerException e = assertThrows(LayerException.class, () -> store.readAllBytes(digest, 4096));
        assertTrue(e.getMessage().contains("5000 bytes"), e.getMessage());
    }

    @Test
    void delete_removesTheBlobAndReportsWhetherItExisted() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        Digest digest = store.put(bytes("to delete")).digest();
        assertTrue(store.delete(digest));
        assertFalse(store.exists(digest));
        assertFalse(store.delete(digest));
    }

    @Test
    void walk_visitsEveryBlobInDigestOrderAndSkipsForeignFiles() throws Exception {
        FileBlobStore store = FileBlobStore.open(root);
        List<Digest> stored = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stored.add(store.put(bytes("blob " + i)).digest());
        }
        Files.writeString(root.resolve("blobs/sha256/not-a-digest"), "junk");
        stored.sort(null);
        List<Digest> walked = new ArrayList<>();
        store.walk(blob -> walked.add(blob.digest()));
        assertEquals(stored, walked);
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

    private Path corrupt(Digest digest, String replacement) throws IOException {
        Path file = root.resolve("blobs/sha256/" + digest.hex());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(file, replacement);
        return file;
    }
}
