package dev.wharf.layers.posix;

import java.nio.file.Path;

/**
 * An open file descriptor of a {@link PosixFiles} binding ({@link ReadableFile}, {@link NewFile}) and the path it was
 * opened by (for messages), closed at most once through the binding's {@link Closer}.
 *
 * <p>Never closed twice, and never retried when close(2) fails: Linux releases the descriptor even then (also on
 * {@code EINTR}), so a second close could close a descriptor another thread has been given since. Not thread-safe:
 * one owner reads or writes and closes it.
 */
abstract class OpenDescriptor implements AutoCloseable {
    /** How a binding closes a descriptor: close(2), its failure thrown with {@code path} in the message. */
    @FunctionalInterface
    interface Closer {
        void close(int fd, Path path) throws PosixCallException;
    }

    final int fd;
    final Path path;
    private final Closer closer;
    private boolean closed;

    OpenDescriptor(int fd, Path path, Closer closer) {
        this.fd = fd;
        this.path = path;
        this.closer = closer;
    }

    @Override
    public final void close() throws PosixCallException {
        if (closed) {
            return;
        }
        closed = true;
        closer.close(fd, path);
    }
}
