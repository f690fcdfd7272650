package dev.wharf.layers.registry;

import dev.wharf.layers.LayerException;

/**
 * The checked exception of registry operations: a pull, push or authentication against a registry failed in a way
 * the user can act on.
 *
 * <p>Messages name the registry, repository and digest or tag involved, say what failed and what to do next; the
 * underlying cause is kept. {@link #statusCode()} is the HTTP status when the registry answered, or -1. A
 * {@link LayerException} so that callers handling the module's errors catch it too. Immutable once thrown.
 */
public class RegistryException extends LayerException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String goReason;

    /** Creates an exception with a user-facing message. */
    public RegistryException(String message) {
        this(message, -1, null);
    }

    /** Creates an exception with a user-facing message and the underlying cause. */
    public RegistryException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    /** Creates an exception for an HTTP answer with the given status. */
    public RegistryException(String message, int statusCode, Throwable cause) {
        this(message, null, statusCode, cause);
    }

    /**
     * Creates an exception that also words the failure as BuildKit's resolver (containerd's, over Go's {@code
     * net/http}) would, for the places that show BuildKit's errors.
     */
    public RegistryException(String message, String goReason, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.goReason = goReason;
    }

    /** Returns the HTTP status the registry answered with, or -1 when there was no answer. */
    public int statusCode() {
        return statusCode;
    }

    /**
     * The failure in the words BuildKit's resolver ends its error with, without naming the operation: {@code failed
     * to do request: Get "https://host/v2/x/manifests/latest": dial tcp: lookup host: no such host}; empty when
     * wharf's own message is all there is.
     */
    public java.util.Optional<String> goReason() {
        return java.util.Optional.ofNullable(goReason);
    }
}
