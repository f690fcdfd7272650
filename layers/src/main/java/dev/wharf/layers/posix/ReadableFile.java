package dev.wharf.layers.posix;

import dev.wharf.layers.LayerException;

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

    /**
     * What {@code fstat} says about the open file: the file actually read, however its path changed since it was
     * opened, found without another path lookup.
     *
     * @throws UnsupportedOperationException when this binding cannot (callers then {@code lstat} the path)
     */
    default PosixStat stat() throws LayerException {
        throw new UnsupportedOperationException("fstat is not available in " + getClass().getName());
    }

    /** Closes the descriptor ({@code close}). */
    @Override
    void close() throws PosixCallException;
}
