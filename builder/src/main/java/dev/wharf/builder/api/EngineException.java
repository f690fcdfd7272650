package dev.wharf.builder.api;

/**
 * The checked exception of the public API: an operation of the {@link BuildEngine} failed for a reason the user can
 * act on (a missing image, an unreadable context, a store that cannot be opened). The message says what failed and
 * what to do.
 */
public class EngineException extends Exception {
    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
