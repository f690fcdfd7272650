package dev.wharf.layers.layer;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import java.util.Objects;

/**
 * A layer stored as a blob: its descriptor (compressed digest, size and media type) and its diff ID (the digest of
 * the uncompressed tar, which goes into the image config's {@code rootfs.diff_ids}).
 *
 * <p>An immutable record, thread-safe.
 *
 * @param descriptor the stored blob's descriptor, with the OCI layer media type of its compression
 * @param diffId sha256 of the uncompressed tar
 * @param uncompressedSize size of the uncompressed tar in bytes
 */
public record LayerBlob(Descriptor descriptor, Digest diffId, long uncompressedSize) {
    /** Validates. */
    public LayerBlob {
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(diffId, "diffId");
        if (uncompressedSize < 0) {
            throw new IllegalArgumentException("negative size " + uncompressedSize);
        }
    }
}
