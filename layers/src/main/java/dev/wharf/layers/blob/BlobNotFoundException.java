package dev.wharf.layers.blob;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;

/**
 * Thrown when a blob that a caller asked for is not in the store; callers that can fetch it elsewhere (a registry)
 * catch this subtype. Immutable once thrown.
 */
public class BlobNotFoundException extends LayerException {
    private static final long serialVersionUID = 1L;

    private final transient Digest digest;

    /** Creates the exception for the missing digest and the store it was looked up in. */
    public BlobNotFoundException(Digest digest, String store) {
        super("blob " + digest + " is not in the store " + store
                + "; pull or build the image again (it may have been removed by garbage collection)");
        this.digest = digest;
    }

    /** Returns the digest that was not found. */
    public Digest digest() {
        return digest;
    }
}
