package dev.wharf.layers.layer;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes.Compression;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.blob.BlobWriter;
import dev.wharf.layers.compress.Compressors;
import dev.wharf.layers.compress.KeepOpenOutputStream;
import dev.wharf.layers.compress.LayerCompression;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The stream a layer tar is written into: in one pass it hashes the uncompressed bytes (the diff ID), compresses
 * them and streams the result into a {@link BlobWriter}, which hashes the compressed bytes (the blob digest).
 *
 * <p>Not thread-safe (one writer thread; gzip blocks may compress on the executor). {@link #finish()} commits the
 * blob and returns its {@link LayerBlob}; {@link #close()} without {@code finish} discards everything.
 */
public final class LayerBlobSink extends OutputStream {
    private final BlobWriter blob;
    private final OutputStream compressor;
    private final LayerCompression compression;
    /** Null for an uncompressed layer: the blob writer's digest of the same bytes is the diff ID. */
    private final MessageDigest diffHasher;
    private long uncompressedSize;
    private boolean done;

    private LayerBlobSink(BlobWriter blob, OutputStream compressor, LayerCompression compression) {
        this.blob = blob;
        this.compressor = compressor;
        this.compression = compression;
        this.diffHasher = compression.type() == Compression.NONE ? null : DigestAlgorithm.SHA256.newMessageDigest();
    }

    /**
     * Opens a sink that stores a layer in {@code store}.
     *
     * @param executor runs parallel gzip when {@code compression.threads() > 1}; owned by the caller
     */
    public static LayerBlobSink open(BlobStore store, LayerCompression compression, Executor executor)
            throws LayerException {
        Objects.requireNonNull(compression, "compression");
        BlobWriter blob = store.writer();
        try {
            // The compressor's close must finish the format without closing the blob writer, which commits later.
            return new LayerBlobSink(blob, Compressors.open(new KeepOpenOutputStream(blob), compression, executor),
                    compression);
        } catch (IOException e) {
            blob.close();
            throw new LayerException("cannot start compressing a layer: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (done) {
            throw new IOException("layer sink is finished or closed");
        }
        if (diffHasher != null) {
            diffHasher.update(bytes, offset, length);
        }
        uncompressedSize += length;
        compressor.write(bytes, offset, length);
    }

    /**
     * Ends compression and commits the blob.
     *
     * @return the stored layer's descriptor and diff ID
     * @throws LayerException if compression or the commit fails; nothing is stored then
     */
    public LayerBlob finish() throws LayerException {
        if (done) {
            throw new IllegalStateException("layer sink already finished or closed");
        }
        done = true;
        try {
            compressor.close();
            BlobInfo info = blob.commit();
            Digest diffId = diffHasher == null ? info.digest()
                    : Digest.fromHash(DigestAlgorithm.SHA256, diffHasher.digest());
            return new LayerBlob(Descriptor.of(compression.mediaType(), info.digest(), info.size()), diffId,
                    uncompressedSize);
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot compress layer: " + e.getMessage(), e);
        } finally {
            blob.close();
        }
    }

    /** Discards the layer unless {@link #finish()} succeeded. */
    @Override
    public void close() throws LayerException {
        if (!done) {
            done = true;
            try {
                compressor.close();
            } catch (IOException ignored) {
                // Discarding anyway.
            }
        }
        blob.close();
    }
}
