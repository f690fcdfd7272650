package dev.wharf.layers.registry;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;

/**
 * An HTTP answer from an {@link HttpTransport}: status, headers, the URI that was requested, and the body as a
 * stream that is read on the caller's thread, straight from the connection.
 *
 * <p>Not thread-safe: one reader. {@link #close()} gives the connection back for the next request when the body
 * was read to its end, and closes it otherwise.
 */
final class TransportResponse implements Closeable {
    private final int statusCode;
    private final HttpHeaders headers;
    private final URI uri;
    private final InputStream body;

    /**
     * @param body the body; closing it ends the exchange (hands the connection back or closes it)
     */
    TransportResponse(int statusCode, HttpHeaders headers, URI uri, InputStream body) {
        this.statusCode = statusCode;
        this.headers = headers;
        this.uri = uri;
        this.body = body;
    }

    /** Returns the status code. */
    int statusCode() {
        return statusCode;
    }

    /** Returns the headers (names case-insensitive). */
    HttpHeaders headers() {
        return headers;
    }

    /** Returns the URI of the request this answers, against which a relative {@code Location} resolves. */
    URI uri() {
        return uri;
    }

    /**
     * Returns the body. It ends with -1 where the message ends; a connection that breaks or closes before throws an
     * {@link IOException} (an {@link java.io.EOFException} when it closed early).
     */
    InputStream body() {
        return body;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
