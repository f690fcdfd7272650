package dev.wharf.layers.posix;

import dev.wharf.layers.LayerException;

/**
 * A failed POSIX call, carrying its {@code errno} so that callers can tell "not supported" from real failures.
 *
 * <p>Immutable once thrown.
 */
public final class PosixCallException extends LayerException {
    private static final long serialVersionUID = 1L;
    /** No such attribute (Linux {@code ENODATA}). */
    public static final int ENODATA = 61;
    /** Operation not supported by the filesystem (Linux {@code EOPNOTSUPP}). */
    public static final int ENOTSUP = 95;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** A component of the path prefix is not a directory. */
    public static final int ENOTDIR = 20;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** File exists. */
    public static final int EEXIST = 17;

    private final int errno;

    /** Creates an exception for {@code call} on {@code path} that failed with {@code errno}. */
    public PosixCallException(String call, String path, int errno, String reason) {
        super(call + "(" + path + ") failed: " + reason + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** Returns the C {@code errno} of the failed call. */
    public int errno() {
        return errno;
    }
}
