package dev.wharf.layers.registry;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One HTTP/1.1 connection of {@link SocketTransport} (plain or TLS): writes a request, reads the answer's head and
 * frames its body (Content-Length, chunked, or until the server closes), on the calling thread.
 *
 * <p>Not thread-safe: one exchange at a time, as HTTP/1.1 without pipelining allows. After an exchange whose body
 * was read to its end the connection is handed to {@code release} for the next request; otherwise it is closed.
 */
final class HttpConnection implements Closeable {
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_HEADERS = 256;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private boolean used;

    /** Wraps a connected socket (after its TLS handshake, for https). */
    HttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        // Reads of a body into a larger array bypass the buffer (BufferedInputStream reads straight into it), so the
        // buffer only serves the head and chunk-size lines.
        this.in = new BufferedInputStream(socket.getInputStream(), BUFFER_SIZE);
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_SIZE);
    }

    /** Tells whether an earlier exchange used this connection (the server may have closed it since). */
    boolean reused() {
        return used;
    }

    /**
     * Sends {@code request} and reads the answer's head. On failure the connection is closed.
     *
     * @param target the request-target: the URI's path and query, or the whole URI for a proxy
     * @param release takes the connection back once the answer's body was read to its end
     * @throws NoAnswerException if the connection failed before any byte of an answer (such as a server that closed
     *     an idle connection): on a reused connection the request can be sent again on a new one
     */
    TransportResponse exchange(HttpRequest request, String target, Consumer<HttpConnection> release)
            throws IOException, InterruptedException {
        boolean answered = false;
        try {
            boolean hasBody = RequestBodyWriter.hasBody(request);
            long length = RequestBodyWriter.length(request);
            try {
                writeHead(request, target, hasBody, length);
                if (hasBody) {
                    RequestBodyWriter.write(request.bodyPublisher().orElseThrow(), length, out);
                }
                out.flush();
            } catch (IOException e) {
                throw new NoAnswerException("sending " + request.method() + " " + request.uri() + " failed: "
                        + e.getMessage(), e);
            }
            if (!awaitAnswer()) {
                throw new NoAnswerException("the server closed the connection without answering", null);
            }
            answered = true;
            Head head = readHead();
            while (head.status >= 100 && head.status < 200) {
                head = readHead();
            }
            used = true;
            InputStream body = frame(head, request.method());
            boolean reusable = head.keepAlive && !(body instanceof UntilClose);
            return new TransportResponse(head.status, head.headers, request.uri(),
                    new ExchangeBody(body, reusable, this, release));
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            if (!answered && e instanceof IOException && !(e instanceof NoAnswerException)) {
                throw new NoAnswerException("the connection failed before an answer: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Waits for the first byte of the answer: false if the connection ends first. */
    private boolean awaitAnswer() throws IOException {
        in.mark(1);
        if (in.read() < 0) {
            return false;
        }
        in.reset();
        return true;
    }

    private void writeHead(HttpRequest request, String target, boolean hasBody, long length) throws IOException {
        URI uri = request.uri();
        StringBuilder head = new StringBuilder(256).append(request.method()).append(' ').append(target)
                .append(" HTTP/1.1\r\nHost: ").append(hostHeader(uri)).append("\r\n");
        for (Map.Entry<String, List<String>> header : request.headers().map().entrySet()) {
            for (String value : header.getValue()) {
                head.append(header.getKey()).append(": ").append(value).append("\r\n");
            }
        }
        if (hasBody) {
            head.append(length >= 0 ? "Content-Length: " + length : "Transfer-Encoding: chunked").append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The Host header: the URI's authority without user information (default ports left out, as browsers do). */
    private static String hostHeader(URI uri) {
        String host = uri.getHost();
        int port = uri.getPort();
        boolean defaultPort = port < 0 || port == 80 && "http".equalsIgnoreCase(uri.getScheme())
                || port == 443 && "https".equalsIgnoreCase(uri.getScheme());
        return defaultPort ? host : host + ":" + port;
    }

    /** The request-target of a request sent to the origin server: path and query. */
    static String originForm(URI uri) {
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        return (path == null || path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
    }

    private Head readHead() throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new EOFException("the server closed the connection without answering");
        }
        // HTTP/1.1 200 OK
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
            throw new IOException("not an HTTP/1.x answer: " + RegistryCaller.snippet(
                    statusLine.getBytes(StandardCharsets.ISO_8859_1)));
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("invalid HTTP status line: " + statusLine, e);
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int count = 0; ; count++) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("the connection closed in the middle of the answer's headers");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || count >= MAX_HEADERS) {
                throw new IOException("invalid HTTP header line in the answer: " + RegistryCaller.snippet(
                        line.getBytes(StandardCharsets.ISO_8859_1)));
            }
            headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        HttpHeaders parsed = HttpHeaders.of(headers, (name, value) -> true);
        boolean close = parsed.allValues("Connection").stream()
                .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
        return new Head(status, parsed, parts[0].equals("HTTP/1.1") && !close);
    }

    private InputStream frame(Head head, String method) throws IOException {
        if (method.equals("HEAD") || head.status == 204 || head.status == 304) {
            return InputStream.nullInputStream();
        }
        String encoding = head.headers.firstValue("Transfer-Encoding").orElse("").toLowerCase(Locale.ROOT);
        if (encoding.endsWith("chunked")) {
            return new ChunkedBody(in);
        }
        if (!encoding.isEmpty()) {
            return new UntilClose(in);
        }
        List<String> lengths = head.headers.allValues("Content-Length");
        if (lengths.isEmpty()) {
            return new UntilClose(in);
        }
        long length;
        try {
            length = Long.parseLong(lengths.get(0).trim());
        } catch (NumberFormatException e) {
            throw new IOException("invalid Content-Length in the answer: " + lengths.get(0), e);
        }
        if (length < 0 || lengths.stream().anyMatch(l -> !l.trim().equals(lengths.get(0).trim()))) {
            throw new IOException("invalid Content-Length in the answer: " + lengths);
        }
        return new FixedLengthBody(in, length);
    }

    /** Reads a line ending in LF (CR LF), without the ending, as ISO-8859-1; null at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                if (line.length() == 0) {
                    return null;
                }
                throw new EOFException("the connection closed in the middle of a line");
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("a line of the answer is longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        return line.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing is lost: the exchange is over either way.
        }
    }

    private record Head(int status, HttpHeaders headers, boolean keepAlive) {
    }

    /** Failed before any byte of an answer: the request may be sent again on a new connection. */
    static final class NoAnswerException extends IOException {
        NoAnswerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A body that ends when the server closes the connection (no length, not chunked). */
    private static final class UntilClose extends FilterInputStream {
        UntilClose(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // The connection is closed by ExchangeBody, never reused.
        }
    }
}
