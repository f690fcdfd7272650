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
 * <p>Writes are gathered into chunks of {@value #CHUNK} bytes, so headers and small files reach the compressor in
 * large pieces. For a compressed layer the diff ID is computed on a thread of its own ({@link BackgroundDigest}),
 * started with the second chunk (a layer of one chunk is hashed on the writing thread), while the writing thread
 * compresses the same chunk. The bytes stored never depend on this.
 *
 * <p>Not thread-safe (one writer thread; gzip blocks may compress on the executor). {@link #finish()} commits the
 * blob and returns its {@link LayerBlob}; {@link #close()} without {@code finish} discards everything.
 */
public final class LayerBlobSink extends OutputStream {
    /** Bytes handed on at once: to the compressor and to the diff ID's thread. */
    private static final int CHUNK = 256 * 1024;
    /**
     * Chunks in flight between this thread and the diff ID's: enough that neither waits for the other over the
     * jitter of a file read or a compressor's output, little enough to stay in the caches.
     */
    private static final int CHUNKS = 4;

    private final BlobWriter blob;
    private final OutputStream compressor;
    private final LayerCompression compression;
    /** Null for an uncompressed layer: the blob writer's digest of the same bytes is the diff ID. */
    private final MessageDigest diffHasher;
    /** Hashes chunks for {@link #diffHasher} once a second chunk comes; null before (and for no compression). */
    private BackgroundDigest background;
    private byte[] chunk = new byte[CHUNK];
    private int filled;
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
        if (done) {
            throw new IOException("layer sink is finished or closed");
        }
        chunk[filled++] = (byte) b;
        if (filled == chunk.length) {
            handOn();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (done) {
            throw new IOException("layer sink is finished or closed");
        }
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (diffHasher == null && length >= CHUNK) {
            // Uncompressed: nothing reads the bytes after this call, so large writes need no copy into a chunk.
            if (filled > 0) {
                handOn();
            }
            uncompressedSize += length;
            compressor.write(bytes, offset, length);
            return;
        }
        while (length > 0) {
            int n = Math.min(length, chunk.length - filled);
            System.arraycopy(bytes, offset, chunk, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == chunk.length) {
                handOn();
            }
        }
    }

    /** Hashes and compresses the filled part of the chunk, and starts a new one. */
    private void handOn() throws IOException {
        uncompressedSize += filled;
        if (diffHasher == null) {
            compressor.write(chunk, 0, filled);
        } else {
            if (background == null) {
                background = new BackgroundDigest(diffHasher, CHUNK, CHUNKS);
                // The first chunk was allocated here, not taken from it; the digest thread frees it like its own
                // (one chunk more in flight).
            }
            background.submit(chunk, filled);
            compressor.write(chunk, 0, filled);
            chunk = background.take();
        }
        filled = 0;
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
            byte[] diffHash = null;
            if (background == null) {
                // One chunk at most: hashed here, no thread started for it.
                uncompressedSize += filled;
                if (diffHasher != null) {
                    diffHasher.update(chunk, 0, filled);
                    diffHash = diffHasher.digest();
                }
                compressor.write(chunk, 0, filled);
            } else {
                if (filled > 0) {
                    handOn();
                }
                diffHash = background.finish();
            }
            compressor.close();
            BlobInfo info = blob.commit();
            Digest diffId = diffHasher == null ? info.digest() : Digest.fromHash(DigestAlgorithm.SHA256, diffHash);
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
        if (background != null) {
            background.close();
        }
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
