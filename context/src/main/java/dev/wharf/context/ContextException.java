package dev.wharf.context;

/**
 * A build context that cannot be read, filtered or resolved: a bad ignore pattern, a COPY source that does not
 * exist, an unreadable file. The message is meant for the user and says what failed and where.
 *
 * <p>Instances are immutable once thrown; this is the one checked exception of the context module.
 */
public class ContextException extends Exception {

    private static final long serialVersionUID = 1L;

    public ContextException(String message) {
        super(message);
    }

    public ContextException(String message, Throwable cause) {
        super(message, cause);
    }
}
