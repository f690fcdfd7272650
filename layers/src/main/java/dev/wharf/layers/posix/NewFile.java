package dev.wharf.layers.posix;

/**
 * A regular file just created by {@link PosixFiles#createFile}, open for writing: its content, owner, mode and times
 * are set through the open descriptor ({@code write}, {@code fchown}, {@code fchmod}, {@code futimens}), so no path
 * is looked up again after the exclusive create and nothing can be redirected by a symlink planted in between.
 *
 * <p>Not thread-safe: one thread writes and closes it.
 */
public interface NewFile extends AutoCloseable {
    /** Appends {@code bytes[offset, offset + length)} to the file, all of it. */
    void write(byte[] bytes, int offset, int length) throws PosixCallException;

    /**
     * Appends the rest of {@code in}, to its end, and returns how many bytes that was. This default reads into
     * {@code buffer} and writes from it; the JNI binding copies between the two descriptors in C, so the content of a
     * large COPY crosses into Java arrays and back not at all.
     */
    default long copyFrom(ReadableFile in, byte[] buffer) throws PosixCallException {
        long copied = 0;
        int n;
        while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
            write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    /** Changes the file's owner ({@code fchown}); clears setuid/setgid bits, so call it before {@link #chmod}. */
    void chown(int uid, int gid) throws PosixCallException;

    /** Sets the permission bits, including setuid, setgid and sticky ({@code fchmod}). */
    void chmod(int mode) throws PosixCallException;

    /**
     * Sets access and modification time ({@code futimens}); a later {@link #write} would change the modification
     * time again, so call it last.
     */
    void setTimes(long epochSeconds, int nanos) throws PosixCallException;

    /** Closes the descriptor ({@code close}); an error on close (a delayed write error) is reported. */
    @Override
    void close() throws PosixCallException;
}
