package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wharf.layers.MediaTypes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bearer flow's cache and refresh, against a tiny registry stand-in that accepts only the newest token (a real
 * registry cannot be made to revoke a token early): tokens are reused while valid, and a 401 for a cached token
 * fetches a new one and retries.
 */
class TokenRefreshTest {
    private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"sha256:"
            + "0".repeat(64) + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);

    private HttpServer server;
    private final AtomicInteger generation = new AtomicInteger(1);
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final AtomicInteger manifestRequests = new AtomicInteger();
    private volatile String realm;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::registry);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            tokensIssued.incrementAndGet();
            byte[] body = ("{\"token\":\"t" + generation.get() + "\",\"expires_in\":300}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private void registry(HttpExchange exchange) throws IOException {
        try (exchange) {
            manifestRequests.incrementAndGet();
            if (!("Bearer t" + generation.get()).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\""
                        + (realm != null ? realm : "http://" + host() + "/token")
                        + "\",service=\"test\",scope=\"repository:app:pull\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", MediaTypes.OCI_MANIFEST);
            exchange.sendResponseHeaders(200, MANIFEST.length);
            exchange.getResponseBody().write(MANIFEST);
        }
    }

    @Test
    void tokenRealmWithoutTls_isRefusedForNonLoopbackHosts() throws Exception {
        realm = "http://auth.example.com/token";
        RegistryClient client = RegistryClient.create(RegistryOptions.defaults()
                .withRetry(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10))));

        RegistryException e = assertThrows(RegistryException.class,
                () -> client.pullManifest(ImageReference.parse(host() + "/app:1")));

        assertTrue(e.getMessage().contains("sends clients to token realm "
                + realm + " without TLS"), e.getMessage());
        assertEquals(0, tokensIssued.get());
    }

    @Test
    void cachedTokenIsReused_andReplacedWhenTheRegistryRefusesIt() throws Exception {
        RegistryClient client = RegistryClient.create(RegistryOptions.defaults()
                .withRetry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10))));
        ImageReference ref = ImageReference.parse(host() + "/app:1");

        client.pullManifest(ref);
        client.pullManifest(ref);
        assertEquals(1, tokensIssued.get(), "the token is cached per scope");
        assertEquals(3, manifestRequests.get(), "one challenge, then two authorized requests");

        generation.incrementAndGet();
        client.pullManifest(ref);
        assertEquals(2, tokensIssued.get(), "a refused token is replaced");
        assertEquals(5, manifestRequests.get(), "refused with the old token, accepted with the new one");
    }
}
