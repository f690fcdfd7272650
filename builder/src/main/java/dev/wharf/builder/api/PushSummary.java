package dev.wharf.builder.api;

import java.util.Objects;

/**
 * What a push did: the reference pushed to, the digest and size of the manifest (or index) the registry now has
 * under it ({@code latest: digest: sha256:... size: 527}, as {@code docker push} prints), and how many blobs had
 * to be uploaded (0 when the registry had them all).
 *
 * <p>Immutable and thread-safe.
 *
 * @param reference     the full reference pushed to, e.g. {@code localhost:5000/app:1.0}
 * @param digest        the manifest (or index) digest
 * @param size          the manifest's size in bytes
 * @param blobsUploaded config and layer blobs whose bytes were uploaded
 */
public record PushSummary(String reference, String digest, long size, int blobsUploaded) {
    public PushSummary {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(digest, "digest");
    }
}
