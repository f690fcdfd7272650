package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import java.util.Objects;

/**
 * A manifest or index as a registry served it: the exact bytes, their media type and their verified digest.
 *
 * <p>An immutable record, thread-safe; the content array is not copied, so callers must not modify it.
 *
 * @param content the document bytes, exactly as served (their digest is the manifest's identity)
 * @param mediaType the media type, from {@code Content-Type} or else the document's own {@code mediaType}
 * @param digest the digest the bytes were verified against
 */
public record ManifestResponse(byte[] content, String mediaType, Digest digest) {
    /** Validates. */
    public ManifestResponse {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
    }

    /** Returns the descriptor of this document. */
    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, content.length);
    }
}
