package dev.wharf.layers.posix;

/**
 * A file opened for reading by {@link PosixFiles#openForReading}: its content is read through the open descriptor
 * ({@code read}) into Java arrays.
 *
 * <p>Not thread-safe: one thread reads and closes it.
 */
public interface ReadableFile extends AutoCloseable {
    /**
     * Reads up to {@code length} bytes into {@code bytes[offset, ...)}.
     *
     * @return the number of bytes read, at least 1 unless {@code length} is 0; -1 at the end of the file
     */
    int read(byte[] bytes, int offset, int length) throws PosixCallException;

    /** Closes the descriptor ({@code close}). */
    @Override
    void close() throws PosixCallException;
}
