package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import java.io.OutputStream;

/**
 * An in-progress blob write: an {@link OutputStream} that hashes and counts what passes through it, and
 * {@link #commit commits} the content into the store once size and digest check out.
 *
 * <p>Not thread-safe: one writer is used by one thread. Until {@link #commit} succeeds the content is invisible to
 * readers; {@link #close()} without a successful commit discards it. Digest and size come from the single pass that
 * writes the bytes, never from reading the file again.
 */
public abstract class BlobWriter extends OutputStream {
    /** Returns the number of bytes written so far. */
    public abstract long size();

    /** Returns the digest of the bytes written so far. */
    public abstract Digest digest();

    /**
     * Makes the content durable and visible: fsync, check size, check digest, atomic rename, fsync the directory.
     * If a blob with that digest is already stored, the write counts as done and the staged copy is discarded.
     *
     * @param expectedSize the size the caller expects, or a negative value to accept any size
     * @param expected the digest the caller expects, or null to accept the computed one
     * @return the committed blob
     * @throws LayerException if the size or digest differ (nothing becomes visible and the staged data is removed),
     *     or the write cannot be made durable
     */
    public abstract BlobInfo commit(long expectedSize, Digest expected) throws LayerException;

    /** Commits whatever was written, under its computed digest (used when producing new content). */
    public BlobInfo commit() throws LayerException {
        return commit(-1, null);
    }

    /** Discards the staged content if it was not committed; after a commit it only releases resources. */
    @Override
    public abstract void close() throws LayerException;
}
