package dev.wharf.layers.blob;

import static dev.wharf.layers.blob.BlobTestSupport.bytes;
import static dev.wharf.layers.blob.BlobTestSupport.content;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link BlobStore} must have, run against each implementation by a subclass that supplies a
 * fresh store and a way to damage a stored blob behind the store's back.
 */
abstract class BlobStoreContractTest {
    /** Returns an empty store. */
    abstract BlobStore newStore() throws Exception;

    /** Replaces a stored blob's bytes without going through the store (simulates disk corruption). */
    abstract void corrupt(BlobStore store, Digest digest, byte[] replacement) throws Exception;

    @Test
    void commit_thenOpen_returnsTheSameBytes() throws Exception {
        BlobStore store = newStore();
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
        try (InputStream in = store.open(expected)) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertEquals(data.length, store.info(expected).orElseThrow().size());
        assertTrue(store.exists(expected));
    }

    @Test
    void commit_rejectsWrongDigestAndNothingBecomesVisible() throws Exception {
        BlobStore store = newStore();
        byte[] data = bytes("actual content");
        Digest claimed = Digest.sha256Of(bytes("claimed content"));
        try (BlobWriter writer = store.writer()) {
            writer.write(data);
            LayerException e = assertThrows(LayerException.class, () -> writer.commit(data.length, claimed));
            assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
            assertTrue(e.getMessage().contains(claimed.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(Digest.sha256Of(data).toString()), e.getMessage());
        }
        assertFalse(store.exists(claimed));
        assertFalse(store.exists(Digest.sha256Of(data)));
        assertEquals(List.of(), walk(store));
    }

    @Test
    void commit_rejectsWrongSizeAndNothingBecomesVisible() throws Exception {
        BlobStore store = newStore();
        byte[] data = bytes("twelve bytes");
        try (BlobWriter writer = store.writer()) {
            writer.write(data);
            LayerException e = assertThrows(LayerException.class,
                    () -> writer.commit(data.length + 1, Digest.sha256Of(data)));
            assertTrue(e.getMessage().contains("size mismatch: expected 13 bytes"), e.getMessage());
        }
        assertEquals(List.of(), walk(store));
    }

    @Test
    void commit_ofContentAlreadyStoredSucceeds() throws Exception {
        BlobStore store = newStore();
        BlobInfo first = store.put(bytes("same"));
        BlobInfo second = store.put(bytes("same"));
        assertEquals(first.digest(), second.digest());
        assertEquals(List.of(first.digest()), walk(store));
    }

    @Test
    void commit_withoutExpectationUsesTheComputedDigest() throws Exception {
        BlobStore store = newStore();
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("produced"));
            assertEquals(Digest.sha256Of(bytes("produced")), writer.commit().digest());
        }
    }

    @Test
    void close_withoutCommitDiscardsTheContent() throws Exception {
        BlobStore store = newStore();
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("abandoned"));
            writer.flush();
        }
        assertFalse(store.exists(Digest.sha256Of(bytes("abandoned"))));
        assertEquals(List.of(), walk(store));
    }

    @Test
    void write_afterCommitFails() throws Exception {
        BlobStore store = newStore();
        try (BlobWriter writer = store.writer()) {
            writer.write(bytes("x"));
            writer.commit();
            assertThrows(IOException.class, () -> writer.write(1));
            assertThrows(IllegalStateException.class, writer::commit);
        }
    }

    @Test
    void open_detectsACorruptedBlobWhenTheStreamEnds() throws Exception {
        BlobStore store = newStore();
        Digest digest = store.put(bytes("original content")).digest();
        corrupt(store, digest, bytes("tampered content"));
        try (InputStream in = store.open(digest)) {
            LayerException e = assertThrows(LayerException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("is corrupted"), e.getMessage());
            // Swallowing the first error must not let a second read finish cleanly.
            assertThrows(LayerException.class, in::read);
        }
        assertThrows(LayerException.class, () -> store.verify(digest));
        assertThrows(LayerException.class, () -> store.readAllBytes(digest, 1024));
    }

    @Test
    void open_detectsACorruptedBlobWhenReadByteByByte() throws Exception {
        BlobStore store = newStore();
        Digest digest = store.put(bytes("abc")).digest();
        corrupt(store, digest, bytes("abd"));
        try (InputStream in = store.open(digest)) {
            assertEquals('a', in.read());
            assertEquals('b', in.read());
            assertEquals('d', in.read());
            assertThrows(LayerException.class, in::read);
        }
    }

    @Test
    void open_detectsATruncatedBlob() throws Exception {
        BlobStore store = newStore();
        Digest digest = store.put(bytes("content that will be cut short")).digest();
        corrupt(store, digest, bytes("content"));
        try (InputStream in = store.open(digest)) {
            assertThrows(LayerException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        }
    }

    @Test
    void verify_andSkip_passForAnIntactBlob() throws Exception {
        BlobStore store = newStore();
        Digest digest = store.put(content(100_000, 7)).digest();
        store.verify(digest);
        try (InputStream in = store.open(digest)) {
            assertEquals(100_000, in.skip(1_000_000));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void open_ofAMissingBlobThrowsBlobNotFound() throws Exception {
        BlobStore store = newStore();
        Digest digest = Digest.sha256Of(bytes("never stored"));
        BlobNotFoundException e = assertThrows(BlobNotFoundException.class, () -> store.open(digest));
        assertEquals(digest, e.digest());
        assertTrue(store.info(digest).isEmpty());
        assertThrows(BlobNotFoundException.class, () -> store.verify(digest));
    }

    @Test
    void readAllBytes_refusesBlobsLargerThanTheLimit() throws Exception {
        BlobStore store = newStore();
        Digest digest = store.put(content(5000, 3)).digest();
        LayerException e = assertThrows(LayerException.class, () -> store.readAllBytes(digest, 4096));
        assertTrue(e.getMessage().contains("5000 bytes"), e.getMessage());
    }

    @Test
    void delete_removesTheBlobAndReportsWhetherItExisted() throws Exception {
        BlobStore store = newStore();
        Digest digest = store.put(bytes("to delete")).digest();
        assertTrue(store.delete(digest));
        assertFalse(store.exists(digest));
        assertFalse(store.delete(digest));
    }

    @Test
    void walk_visitsEveryBlobInDigestOrder() throws Exception {
        BlobStore store = newStore();
        List<Digest> stored = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stored.add(store.put(bytes("blob " + i)).digest());
        }
        stored.sort(null);
        assertEquals(stored, walk(store));
    }

    @Test
    void sha512Blobs_areWrittenVerifiedAndWalked() throws Exception {
        BlobStore store = newStore();
        byte[] data = bytes("sha512 content");
        Digest expected = Digest.fromHash(DigestAlgorithm.SHA512,
                DigestAlgorithm.SHA512.newMessageDigest().digest(data));
        try (BlobWriter writer = store.writer(DigestAlgorithm.SHA512)) {
            writer.write(data);
            writer.commit(data.length, expected);
        }
        store.verify(expected);
        assertEquals(List.of(expected), walk(store));
    }

    static List<Digest> walk(BlobStore store) throws LayerException {
        List<Digest> walked = new ArrayList<>();
        store.walk(blob -> walked.add(blob.digest()));
        return walked;
    }
}
