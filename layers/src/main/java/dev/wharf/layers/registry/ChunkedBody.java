package dev.wharf.layers.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of an HTTP answer sent with {@code Transfer-Encoding: chunked} (RFC 9112 section 7.1): the chunks' data
 * in order, then -1 after the last chunk and its trailer lines. A connection that ends sooner is an
 * {@link EOFException}.
 *
 * <p>Not thread-safe. Closing it leaves the connection open ({@link ExchangeBody} decides what happens to it).
 */
final class ChunkedBody extends InputStream {
    private final InputStream in;
    private long chunkRemaining;
    private boolean finished;

    ChunkedBody(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int count) throws IOException {
        if (count == 0) {
            return 0;
        }
        if (chunkRemaining == 0 && !nextChunk()) {
            return -1;
        }
        int n = in.read(bytes, offset, (int) Math.min(count, chunkRemaining));
        if (n < 0) {
            throw new EOFException("the connection closed in the middle of a chunk of the answer");
        }
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            endOfChunk();
        }
        return n;
    }

    /** Reads the next chunk's size line; false (after the trailer) at the last chunk. */
    private boolean nextChunk() throws IOException {
        if (finished) {
            return false;
        }
        String line = HttpConnection.readLine(in);
        if (line == null) {
            throw new EOFException("the connection closed before the end of a chunked answer");
        }
        int extension = line.indexOf(';');
        String size = (extension < 0 ? line : line.substring(0, extension)).trim();
        try {
            chunkRemaining = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new IOException("invalid chunk size in the answer: " + size, e);
        }
        if (chunkRemaining < 0) {
            throw new IOException("invalid chunk size in the answer: " + size);
        }
        if (chunkRemaining == 0) {
            String trailer;
            do {
                trailer = HttpConnection.readLine(in);
                if (trailer == null) {
                    throw new EOFException("the connection closed in the trailer of a chunked answer");
                }
            } while (!trailer.isEmpty());
            finished = true;
            return false;
        }
        return true;
    }

    private void endOfChunk() throws IOException {
        String end = HttpConnection.readLine(in);
        if (end == null || !end.isEmpty()) {
            throw new IOException("a chunk of the answer does not end with CRLF");
        }
    }

    @Override
    public void close() {
        // The connection's fate is ExchangeBody's.
    }
}
