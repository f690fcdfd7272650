package dev.wharf.layers.registry;

/**
 * Thrown when text is not a valid image reference. The message is exactly the error text of Docker's
 * {@code github.com/distribution/reference} (e.g. {@code invalid reference format: repository name (library/Foo)
 * must be lowercase}), so users see what {@code docker pull} would print. Immutable once thrown.
 */
public class InvalidReferenceException extends RegistryException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with Docker's error text. */
    public InvalidReferenceException(String message) {
        super(message);
    }
}
