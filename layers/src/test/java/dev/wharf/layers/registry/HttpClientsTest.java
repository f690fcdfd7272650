package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The plain-HTTP client (no TLS set up) serves http requests; https requests go to a real TLS client. */
class HttpClientsTest {
    @Test
    void plainHttpIsServedWithoutTls() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            HttpResponse<String> response = HttpClients.create(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("ok", response.body());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void httpsGoesToATlsClient_whichFailsOnlyBecauseNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/")).build();
        // The plain client's SSLContext would throw UnsupportedOperationException; a TLS client tries to connect.
        IOException e = assertThrows(IOException.class,
                () -> HttpClients.create(Duration.ofSeconds(5)).send(request, HttpResponse.BodyHandlers.ofString()));
        assertEquals(ConnectException.class, e.getClass(), e.toString());
    }
}
