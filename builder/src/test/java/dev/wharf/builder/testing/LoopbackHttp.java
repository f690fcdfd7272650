package dev.wharf.builder.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 and a free port ({@code com.sun.net.httpserver}) serving fixed bodies by path,
 * with optional headers (Last-Modified, ETag: a matching If-None-Match gets 304) and redirects; other paths answer
 * 404. Counts GET requests.
 */
public final class LoopbackHttp implements AutoCloseable {
    /** What one path answers. */
    public record Response(int status, byte[] body, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final Map<String, Response> responses = new ConcurrentHashMap<>();
    private final AtomicInteger gets = new AtomicInteger();
    private final AtomicInteger bodies = new AtomicInteger();
    private final java.util.Queue<String> authorizations = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private LoopbackHttp(HttpServer server) {
        this.server = server;
    }

    /** Starts a server. */
    public static LoopbackHttp start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        LoopbackHttp http = new LoopbackHttp(server);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (exchange.getRequestMethod().equals("GET")) {
                    http.gets.incrementAndGet();
                    String auth = exchange.getRequestHeaders().getFirst("Authorization");
                    http.authorizations.add(auth == null ? "" : auth);
                }
                Response r = http.responses.get(exchange.getRequestURI().getPath());
                if (r == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                String etag = r.headers().get("ETag");
                if (etag != null && etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                    exchange.sendResponseHeaders(304, -1);
                    return;
                }
                if (exchange.getRequestMethod().equals("GET")) {
                    http.bodies.incrementAndGet();
                }
                exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(r.body());
                    }
                }
            }
        });
        server.start();
        return http;
    }

    /** Serves {@code body} at {@code path} with 200 and {@code headers}. */
    public LoopbackHttp serve(String path, byte[] body, Map<String, String> headers) {
        responses.put(path, new Response(200, body, headers));
        return this;
    }

    /** Redirects {@code path} to {@code target} (302). */
    public LoopbackHttp redirect(String path, String target) {
        responses.put(path, new Response(302, new byte[0], Map.of("Location", target)));
        return this;
    }

    /** The URL of {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** How many GET requests were served. */
    public int gets() {
        return gets.get();
    }

    /** The {@code Authorization} header of each GET served, in order ("" for a request without one). */
    public java.util.List<String> authorizations() {
        return java.util.List.copyOf(authorizations);
    }

    /** How many GET requests were answered with a body (not 304, not 404). */
    public int bodies() {
        return bodies.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
