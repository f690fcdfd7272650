package dev.wharf.layers.archive;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.MediaTypes.Compression;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.compress.Decompressors;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * Facts about stored layer blobs that archives do not state: their compression (from the magic bytes) and their
 * diff ID (the sha256 of the uncompressed tar). Stateless and thread-safe.
 */
final class LayerBlobs {
    private LayerBlobs() {
    }

    /** Returns the compression of a stored blob, from its first bytes. */
    static Compression compression(BlobProvider blobs, Digest digest) throws LayerException {
        try (InputStream in = new BufferedInputStream(blobs.open(digest), 16)) {
            return Decompressors.detect(in);
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot read layer " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Returns the diff ID of a stored layer: its own digest when uncompressed, else the digest of its content. */
    static Digest diffId(BlobProvider blobs, Digest digest, Compression compression) throws LayerException {
        if (compression == Compression.NONE && digest.algorithm() == DigestAlgorithm.SHA256) {
            return digest;
        }
        MessageDigest hasher = DigestAlgorithm.SHA256.newMessageDigest();
        try (InputStream in = new DigestInputStream(Decompressors.open(blobs.open(digest)), hasher)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot decompress layer " + digest + ": " + Decompressors.reason(e)
                    + "; the layer is corrupted", e);
        }
        return Digest.fromHash(DigestAlgorithm.SHA256, hasher.digest());
    }

    /**
     * Returns the uncompressed size of a stored layer, checking on the way that its content has {@code diffId}.
     *
     * @throws LayerException if the content does not match the diff ID
     */
    static long uncompressedSize(BlobProvider blobs, Digest digest, Digest diffId) throws LayerException {
        MessageDigest hasher = diffId.algorithm().newMessageDigest();
        long size;
        try (InputStream in = new DigestInputStream(Decompressors.open(blobs.open(digest)), hasher)) {
            size = in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot decompress layer " + digest + ": " + Decompressors.reason(e)
                    + "; the layer is corrupted", e);
        }
        Digest actual = Digest.fromHash(diffId.algorithm(), hasher.digest());
        if (!actual.equals(diffId)) {
            throw new LayerException("layer " + digest + " decompresses to " + actual + " but the image config "
                    + "lists diff ID " + diffId + "; the image is corrupted");
        }
        return size;
    }

    /** Returns the OCI layer media type for a compression. */
    static String ociMediaType(Compression compression) {
        return switch (compression) {
            case NONE -> MediaTypes.OCI_LAYER_TAR;
            case GZIP -> MediaTypes.OCI_LAYER_GZIP;
            case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
        };
    }
}
