package dev.wharf.layers.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * The body a {@link TransportResponse} hands out: the framed body of one exchange, which on {@link #close()} gives
 * its connection back for another request when the body was read to its end (a short unread rest, such as the end
 * of an error page, is read first), and closes the connection otherwise.
 *
 * <p>Not thread-safe. Closing twice is harmless.
 */
final class ExchangeBody extends FilterInputStream {
    /** The most bytes left unread that closing still reads to keep the connection. */
    private static final int MAX_DRAIN = 64 * 1024;

    private final boolean reusable;
    private final HttpConnection connection;
    private final Consumer<HttpConnection> release;
    private boolean ended;
    private boolean closed;

    ExchangeBody(InputStream body, boolean reusable, HttpConnection connection, Consumer<HttpConnection> release) {
        super(body);
        this.reusable = reusable;
        this.connection = connection;
        this.release = release;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        ended |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int count) throws IOException {
        int n = in.read(bytes, offset, count);
        ended |= n < 0;
        return n;
    }

    /** Skips by reading, so that the end of the body is noticed (FilterInputStream would hand it on). */
    @Override
    public long skip(long count) throws IOException {
        byte[] sink = new byte[(int) Math.min(count, 64 * 1024)];
        long skipped = 0;
        while (skipped < count) {
            int n = read(sink, 0, (int) Math.min(sink.length, count - skipped));
            if (n < 0) {
                break;
            }
            skipped += n;
        }
        return skipped;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (reusable && !ended) {
            drain();
        }
        if (reusable && ended) {
            release.accept(connection);
        } else {
            connection.close();
        }
    }

    private void drain() {
        byte[] sink = new byte[8192];
        try {
            long drained = 0;
            int n;
            while (drained <= MAX_DRAIN && (n = in.read(sink)) >= 0) {
                drained += n;
            }
            ended = drained <= MAX_DRAIN;
        } catch (IOException e) {
            ended = false;
        }
    }
}
