package dev.wharf.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** GoRequestError over the JDK client's real failures. */
class GoRequestErrorTest {

    private static IOException fail(URI uri) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return assertThrows(IOException.class,
                () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void aClosedPort_isAConnectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/v2/");
        assertEquals("Get \"" + uri + "\": dial tcp 127.0.0.1:" + port + ": connect: connection refused",
                GoRequestError.of("GET", uri, fail(uri)));
    }

    /**
     * A link-local IPv6 address without a zone cannot be dialed (EINVAL; EAFNOSUPPORT where IPv6 is off): the JDK
     * client wraps that socket error in a ConnectException too. Must hold: the words are the socket error's, as Go's
     * dialer gives them ({@code connect: invalid argument}), never a refused connection that did not happen.
     */
    @Test
    void aConnectFailureOtherThanRefused_keepsTheSocketErrorsWords() {
        URI uri = URI.create("http://[fe80::1]:9/v2/");
        IOException e = fail(uri);
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String go = GoRequestError.of("GET", uri, e);
        assertFalse(go.contains("refused"), go);
        assertEquals("Get \"" + uri + "\": dial tcp [fe80::1]:9: connect: "
                + root.getMessage().toLowerCase(Locale.ROOT), go);
        assertTrue(root instanceof java.net.SocketException, root.toString());
    }
}
