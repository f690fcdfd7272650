package dev.wharf.layers.archive;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobInfo;

/**
 * The files of an image archive as the format readers need them: small documents by path, and files that become
 * blobs of the target store by path, verified against the digest the archive claims for them.
 *
 * <p>Implementations are not thread-safe; one import uses one instance. Paths are {@code /}-separated and relative to
 * the archive root; they are cleaned and refused when they would leave it.
 */
interface ArchiveContents {
    /** Names the archive for messages, e.g. {@code archive /tmp/app.tar}. */
    String describe();

    /** Tells whether the archive has a regular file at {@code path} (after following links inside the archive). */
    boolean has(String path) throws LayerException;

    /**
     * Returns a small file's bytes.
     *
     * @throws LayerException if the file is missing or larger than {@code maxSize}
     */
    byte[] read(String path, long maxSize) throws LayerException;

    /**
     * Makes sure the file at {@code path} is in the target store and returns it as a blob.
     *
     * @param expected the digest the file must have, or null when the archive does not say
     * @throws LayerException if the file is missing or its content does not match {@code expected}
     */
    BlobInfo blob(String path, Digest expected) throws LayerException;

    /** Returns the conventional OCI layout path of a blob, {@code blobs/<alg>/<hex>}. */
    static String blobPath(Digest digest) {
        return "blobs/" + digest.algorithm().ociName() + "/" + digest.hex();
    }
}
