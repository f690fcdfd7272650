package dev.wharf.builder.api;

import java.util.Objects;

/**
 * One named image of the local store, as {@code wharf images} lists it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name    {@code name:tag}
 * @param digest  the manifest digest
 * @param imageId the config digest
 * @param size    the sum of the compressed layer sizes in bytes
 */
public record ImageSummary(String name, String digest, String imageId, long size) {
    public ImageSummary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(imageId, "imageId");
    }
}
