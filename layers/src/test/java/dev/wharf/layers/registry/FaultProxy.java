package dev.wharf.layers.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A small HTTP proxy on 127.0.0.1 in front of a real registry, for tests: forwards every request, records it, and
 * injects faults chosen by a rule (an error status, a connection dropped after some bytes of the body, a corrupted
 * body). {@code Location} headers are rewritten to point at the proxy.
 */
final class FaultProxy implements AutoCloseable {
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "date", "expect", "from",
            "host", "upgrade", "via", "warning", "transfer-encoding", "keep-alive");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String upstream;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile BiFunction<String, String, Fault> rule = (method, path) -> Fault.PASS;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    /** What to do with one request. */
    record Fault(int status, long dropAfter, boolean corrupt, String redirectHost, long delayMillis,
            String retryAfter, boolean ignoreRange) {
        static final Fault PASS = new Fault(0, -1, false, null, 0, null, false);

        static Fault withStatus(int status) {
            return new Fault(status, -1, false, null, 0, null, false);
        }

        /** Answers 429 with the given Retry-After header value. */
        static Fault rateLimited(String retryAfter) {
            return new Fault(429, -1, false, null, 0, retryAfter, false);
        }

        static Fault droppingAfter(long bytes) {
            return new Fault(0, bytes, false, null, 0, null, false);
        }

        static Fault corrupting() {
            return new Fault(0, -1, true, null, 0, null, false);
        }

        /** Answers 307 with the same path on another host. */
        static Fault redirectingTo(String host) {
            return new Fault(0, -1, false, host, 0, null, false);
        }

        /** Forwards normally after holding the request for a while (to make transfers overlap). */
        static Fault delayed(long millis) {
            return new Fault(0, -1, false, null, millis, null, false);
        }

        /** Forwards without the Range header, like a server that does not support ranges (answers 200). */
        static Fault ignoringRange() {
            return new Fault(0, -1, false, null, 0, null, true);
        }
    }

    private FaultProxy(HttpServer server, ExecutorService executor, String upstream) {
        this.server = server;
        this.executor = executor;
        this.upstream = upstream;
    }

    /** Starts a proxy forwarding to {@code upstreamHost} (host:port, plain HTTP). */
    static FaultProxy start(String upstreamHost) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        FaultProxy proxy = new FaultProxy(server, executor, upstreamHost);
        server.createContext("/", proxy::handle);
        server.start();
        return proxy;
    }

    /** Returns {@code 127.0.0.1:<port>}. */
    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Sets the fault rule: (method, path) to fault. */
    void rule(BiFunction<String, String, Fault> newRule) {
        rule = newRule;
    }

    /** Returns the requests seen so far as {@code METHOD path}, and forgets them. */
    List<String> takeRequests() {
        synchronized (requests) {
            List<String> copy = List.copyOf(requests);
            requests.clear();
            return copy;
        }
    }

    /** Returns the largest number of requests that were in progress at once, and resets it. */
    int takeMaxInFlight() {
        return maxInFlight.getAndSet(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            forward(exchange);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String range = exchange.getRequestHeaders().getFirst("Range");
            requests.add(method + " " + path + (range == null ? "" : " " + range));
            Fault fault = rule.apply(method, path);
            if (fault.delayMillis() > 0) {
                try {
                    Thread.sleep(fault.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (fault.redirectHost() != null) {
                exchange.getResponseHeaders().add("Location", "http://" + fault.redirectHost() + path
                        + (query == null ? "" : "?" + query));
                exchange.sendResponseHeaders(307, -1);
                return;
            }
            if (fault.status() > 0) {
                exchange.getRequestBody().readAllBytes();
                if (fault.retryAfter() != null) {
                    exchange.getResponseHeaders().add("Retry-After", fault.retryAfter());
                }
                exchange.sendResponseHeaders(fault.status(), -1);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder builder = HttpRequest.newBuilder(
                    URI.create("http://" + upstream + path + (query == null ? "" : "?" + query)))
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
                String lower = h.getKey().toLowerCase(Locale.ROOT);
                if (!RESTRICTED.contains(lower) && !(fault.ignoreRange() && lower.equals("range"))) {
                    for (String v : h.getValue()) {
                        builder.header(h.getKey(), v);
                    }
                }
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try (InputStream upstreamBody = response.body()) {
                for (Map.Entry<String, List<String>> h : response.headers().map().entrySet()) {
                    String name = h.getKey().toLowerCase(Locale.ROOT);
                    if (name.equals("location")) {
                        exchange.getResponseHeaders().add("Location", h.getValue().get(0)
                                .replace("http://" + upstream, "http://" + host()));
                    } else if (!RESTRICTED.contains(name) || (name.equals("content-length")
                            && method.equals("HEAD"))) {
                        h.getValue().forEach(v -> exchange.getResponseHeaders().add(h.getKey(), v));
                    }
                }
                long length = response.headers().firstValueAsLong("Content-Length").orElse(0);
                if (method.equals("HEAD") || response.statusCode() == 204 || length == 0
                        && response.headers().firstValue("Content-Length").isPresent()) {
                    exchange.sendResponseHeaders(response.statusCode(), -1);
                    return;
                }
                if (fault.corrupt()) {
                    byte[] all = upstreamBody.readAllBytes();
                    all[all.length / 2] ^= 0x55;
                    exchange.sendResponseHeaders(response.statusCode(), all.length);
                    exchange.getResponseBody().write(all);
                    return;
                }
                exchange.sendResponseHeaders(response.statusCode(), length);
                OutputStream out = exchange.getResponseBody();
                if (fault.dropAfter() >= 0) {
                    out.write(upstreamBody.readNBytes((int) fault.dropAfter()));
                    out.flush();
                    // Closing with bytes missing makes the server drop the connection mid-body.
                    return;
                }
                upstreamBody.transferTo(out);
            }
        } catch (IOException e) {
            // Expected for dropped connections; the client sees the failure.
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
