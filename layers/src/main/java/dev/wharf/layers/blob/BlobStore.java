package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import java.io.IOException;

/**
 * A content-addressed blob store: {@link BlobProvider} plus writing, deleting and listing (containerd's
 * {@code content.Store} without leases, labels or resumable ingests).
 *
 * <p>Implementations are thread-safe and safe for several processes sharing one store. Content becomes visible
 * only when a {@link BlobWriter} commits it after checking size and digest; committing content that is already
 * stored succeeds.
 */
public interface BlobStore extends BlobProvider {
    /** Starts writing a new blob hashed with sha256. Close the writer (try-with-resources) to discard it uncommitted. */
    default BlobWriter writer() throws LayerException {
        return writer(DigestAlgorithm.SHA256);
    }

    /** Starts writing a new blob hashed with the given algorithm. */
    BlobWriter writer(DigestAlgorithm algorithm) throws LayerException;

    /**
     * Deletes a blob; readers that already opened it keep reading their copy.
     *
     * @return true if the blob existed
     */
    boolean delete(Digest digest) throws LayerException;

    /** Calls the visitor for every committed blob, in digest order. */
    void walk(BlobVisitor visitor) throws LayerException;

    /** Writes and commits a small in-memory blob, e.g. a manifest or config, returning what was stored. */
    default BlobInfo put(byte[] content) throws LayerException {
        try (BlobWriter writer = writer()) {
            writer.write(content);
            return writer.commit(content.length, null);
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot write blob: " + e.getMessage(), e);
        }
    }

    /** A callback for {@link #walk}. */
    @FunctionalInterface
    interface BlobVisitor {
        /** Receives one blob. */
        void visit(BlobInfo blob) throws LayerException;
    }
}
