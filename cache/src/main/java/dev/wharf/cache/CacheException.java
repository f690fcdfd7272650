package dev.wharf.cache;

/**
 * The checked exception of the cache module: the cache directory could not be read, written or locked.
 *
 * <p>Messages say what failed, where (the path) and what to do next; the cause is kept. A corrupt record is not
 * reported this way: stores drop it with a {@link CacheWarning} and the step is simply rebuilt. Instances are
 * immutable once thrown.
 */
public class CacheException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a user-facing message. */
    public CacheException(String message) {
        super(message);
    }

    /** Creates an exception with a user-facing message and the underlying cause. */
    public CacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
