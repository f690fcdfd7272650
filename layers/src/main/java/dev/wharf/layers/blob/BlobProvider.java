package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Read access to content-addressed blobs: the narrow interface that readers (image resolution, layer appliers,
 * exporters) take, as containerd's {@code content.Provider} is narrower than its {@code content.Store}.
 *
 * <p>Implementations are thread-safe. Blobs are immutable once committed, and every byte served is verified
 * against its digest.
 */
public interface BlobProvider {
    /**
     * Opens a committed blob for reading. The stream hashes while it is read; when it reaches its end it throws a
     * {@link LayerException} if the content does not match the digest, so a corrupted blob is never silently used.
     * A caller that stops before the end gets no verification; use {@link #verify} for a full check.
     *
     * @throws BlobNotFoundException if the blob is not in the store
     */
    InputStream open(Digest digest) throws LayerException;

    /** Returns the blob's size and commit time, or empty if the blob is not in the store. */
    Optional<BlobInfo> info(Digest digest) throws LayerException;

    /** Tells whether the blob is in the store. */
    boolean exists(Digest digest) throws LayerException;

    /**
     * Reads the whole blob and checks its digest.
     *
     * @throws BlobNotFoundException if the blob is not in the store
     * @throws LayerException if the content does not match the digest; the message says which file to delete
     */
    default void verify(Digest digest) throws LayerException {
        try (InputStream in = open(digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a whole, verified blob into memory; meant for manifests and configs, which are small.
     *
     * @param maxSize the largest blob accepted, guarding against a descriptor that points at a huge layer
     * @throws LayerException if the blob is missing, larger than {@code maxSize} or corrupted
     */
    default byte[] readAllBytes(Digest digest, long maxSize) throws LayerException {
        BlobInfo info = info(digest).orElseThrow(() -> new BlobNotFoundException(digest, toString()));
        if (info.size() > maxSize) {
            throw new LayerException("blob " + digest + " is " + info.size() + " bytes, more than the " + maxSize
                    + " bytes allowed for this kind of document; the image is malformed or the wrong blob is referenced");
        }
        try (InputStream in = open(digest)) {
            return in.readAllBytes();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot read blob " + digest + ": " + e.getMessage(), e);
        }
    }
}
