package dev.wharf.layers.registry;

import java.io.IOException;
import java.net.http.HttpRequest;

/**
 * The seam between the registry client and the network: sends one HTTP request and hands back the answer with its
 * body unread. {@link RegistryCaller} and {@link RegistryAuthenticator} do everything above it (authentication,
 * redirects, retries, error messages); an implementation only moves bytes, follows no redirect and answers no
 * challenge.
 *
 * <p>Requests are the JDK's immutable {@link HttpRequest} values (method, URI, headers, body publisher).
 * Implementations are thread-safe.
 */
interface HttpTransport {
    /**
     * Sends {@code request} and returns the answer once its status line and headers arrived. The caller reads the
     * body (or not) and must close the answer.
     *
     * @throws IOException if the server cannot be reached or the exchange fails before the answer's head
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    TransportResponse send(HttpRequest request) throws IOException, InterruptedException;
}
