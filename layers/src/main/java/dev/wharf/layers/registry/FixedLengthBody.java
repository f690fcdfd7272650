package dev.wharf.layers.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of an HTTP answer with a {@code Content-Length}: exactly that many bytes of the connection, then -1. A
 * connection that ends sooner is an {@link EOFException} (a blob download resumes from there), never a short body.
 *
 * <p>Not thread-safe. Closing it leaves the connection open ({@link ExchangeBody} decides what happens to it).
 */
final class FixedLengthBody extends InputStream {
    private final InputStream in;
    private final long length;
    private long remaining;

    FixedLengthBody(InputStream in, long length) {
        this.in = in;
        this.length = length;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            throw truncated();
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int count) throws IOException {
        if (count == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(bytes, offset, (int) Math.min(count, remaining));
        if (n < 0) {
            throw truncated();
        }
        remaining -= n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    private EOFException truncated() {
        return new EOFException("the connection closed after " + (length - remaining) + " of the " + length
                + " bytes of the answer");
    }

    @Override
    public void close() {
        // The connection's fate is ExchangeBody's.
    }
}
