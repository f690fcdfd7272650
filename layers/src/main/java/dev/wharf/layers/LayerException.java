package dev.wharf.layers;

import java.io.IOException;

/**
 * The checked exception of the layers module: a blob, image or store operation failed in a way the user can act on.
 *
 * <p>Messages say what failed, where (the store path, digest or image name) and what to do next; the underlying
 * cause is kept. It extends {@link IOException} on purpose: a corrupted blob is detected inside
 * {@link java.io.InputStream#read()}, and this type must travel unchanged through stream APIs (gzip and tar readers)
 * so that callers can still catch it as a {@code LayerException}. Instances are immutable once thrown.
 */
public class LayerException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a user-facing message. */
    public LayerException(String message) {
        super(message);
    }

    /** Creates an exception with a user-facing message and the underlying cause. */
    public LayerException(String message, Throwable cause) {
        super(message, cause);
    }
}
