package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The words BuildKit's resolver (containerd over Go's net/http) ends "failed to resolve source metadata" with, for a
 * registry that refuses the reference's HEAD or sends the client to a token server that fails, as buildx 0.13.1
 * printed them against dockerd 26.1.5 (a TLS stand-in registry on loopback that answered the same way). A real
 * HTTP server (the JDK's) plays the registry.
 */
class RegistryGoReasonTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A registry on loopback whose every answer is {@code status}, with {@code challenge} when one is given. */
    private String registry(int status, String challenge, int tokenStatus) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            boolean token = exchange.getRequestURI().getPath().equals("/token");
            if (!token && challenge != null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", challenge);
            }
            exchange.sendResponseHeaders(token ? tokenStatus : status, -1);
            exchange.close();
        });
        server.start();
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private static RegistryException pullFails(String reference) throws Exception {
        RegistryClient client = RegistryClient.create(RegistryOptions.defaults()
                .withRetry(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10))));
        ImageReference ref = ImageReference.parse(reference);
        return assertThrows(RegistryException.class, () -> client.pullManifest(ref));
    }

    @Test
    void refusedHead_isContainerdsUnexpectedStatus_namingHead() throws Exception {
        String host = registry(403, null, 0);
        RegistryException e = pullFails(host + "/x/y:1");
        assertEquals(Optional.of("unexpected status from HEAD request to http://" + host + "/v2/x/y/manifests/1: "
                + "403 Forbidden"), e.goReason());
    }

    @Test
    void unreachableTokenServer_isTheAnonymousTokenGet() throws Exception {
        int dead = LocalRegistry.freePort();
        String host = registry(401, "Bearer realm=\"http://127.0.0.1:" + dead + "/token\",service=\"fake\","
                + "scope=\"repository:x/y:pull\"", 0);
        RegistryException e = pullFails(host + "/x/y:1");
        // Go's url.Values: keys sorted, QueryEscape'd.
        assertEquals(Optional.of("failed to authorize: failed to fetch anonymous token: Get \"http://127.0.0.1:"
                + dead + "/token?scope=repository%3Ax%2Fy%3Apull&service=fake\": dial tcp 127.0.0.1:" + dead
                + ": connect: connection refused"), e.goReason());
    }

    @Test
    void failingTokenServer_isContainerdsUnexpectedStatus_ofItsGet() throws Exception {
        int[] port = new int[1];
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        port[0] = server.getAddress().getPort();
        server.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/token")) {
                exchange.sendResponseHeaders(500, -1);
            } else {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + port[0]
                        + "/token\",service=\"fake\"");
                exchange.sendResponseHeaders(401, -1);
            }
            exchange.close();
        });
        server.start();
        RegistryException e = pullFails("127.0.0.1:" + port[0] + "/x/y:1");
        assertEquals(Optional.of("failed to authorize: failed to fetch anonymous token: unexpected status from GET "
                + "request to http://127.0.0.1:" + port[0] + "/token?scope=repository%3Ax%2Fy%3Apull&service=fake: "
                + "500 Internal Server Error"), e.goReason());
    }
}
