package dev.wharf.layers.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The JDK {@link HttpClient}s one {@link RegistryClient} sends through, chosen by each request's scheme: one for
 * plain HTTP, made at once without TLS, and one for HTTPS, made at the first {@code https} request.
 *
 * <p>Why two: a JDK client always initialises an {@link SSLContext}, and the default one loads the JSSE provider and
 * parses the whole trust store (cacerts): about a third of the main thread's CPU in a {@code wharf pull} from a
 * loopback registry, for a connection that never speaks TLS. Requests to loopback and insecure registries (the only
 * plain-HTTP ones {@link PlainHttpPolicy} allows) skip it; a redirect or token realm on HTTPS still gets the normal
 * client. Thread-safe.
 */
final class HttpClients {
    private final Supplier<HttpClient> tlsFactory;
    private final HttpClient plain;
    private volatile HttpClient tls;

    private HttpClients(HttpClient plain, Supplier<HttpClient> tlsFactory) {
        this.plain = plain;
        this.tlsFactory = tlsFactory;
    }

    /** Clients with the settings a registry client uses: a connect timeout, and no automatic redirects. */
    static HttpClients create(Duration connectTimeout) {
        // Redirects are followed by RegistryCaller, which drops credentials when a redirect leaves the registry.
        Supplier<HttpClient.Builder> builder = () -> HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        HttpClient plain = builder.get().sslContext(new NoTls()).sslParameters(new SSLParameters()).build();
        return new HttpClients(plain, () -> builder.get().build());
    }

    /** One client for every request (tests that bring their own). */
    static HttpClients of(HttpClient client) {
        return new HttpClients(client, () -> client);
    }

    /** Sends a request with the client for its scheme. */
    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return forUri(request.uri()).send(request, handler);
    }

    private HttpClient forUri(URI uri) {
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            return plain;
        }
        HttpClient client = tls;
        if (client == null) {
            synchronized (this) {
                client = tls;
                if (client == null) {
                    client = tlsFactory.get();
                    tls = client;
                }
            }
        }
        return client;
    }

    /**
     * The SSLContext of the plain-HTTP client: never initialised by JSSE, and failing if TLS is ever asked of it
     * (it is not: that client only gets {@code http} requests).
     */
    private static final class NoTls extends SSLContext {
        NoTls() {
            super(new Spi(), null, "none");
        }
    }

    private static final class Spi extends SSLContextSpi {
        private static UnsupportedOperationException noTls() {
            return new UnsupportedOperationException("this HTTP client sends plain HTTP only");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("this HTTP client sends plain HTTP only");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw noTls();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw noTls();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw noTls();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw noTls();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw noTls();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw noTls();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return new SSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return new SSLParameters();
        }
    }
}
