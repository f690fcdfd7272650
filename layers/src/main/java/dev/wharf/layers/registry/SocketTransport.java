package dev.wharf.layers.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The {@link HttpTransport} of {@link RegistryClient}: blocking HTTP/1.1 over sockets, plain for {@code http} URLs
 * and TLS ({@link SSLSocket}, host name verified against the certificate) for {@code https}, through the HTTP proxy
 * its {@link ProxySelector} names for the URL if any (the request's absolute URL for http, a {@code CONNECT} tunnel
 * for https). Idle connections are kept
 * per origin for the next request.
 *
 * <p>Why not the JDK {@code HttpClient}: it reads every response into freshly allocated buffers on its selector
 * thread and hands them to another thread for the body, which cost a {@code wharf pull} more CPU than hashing the
 * blobs (perf: page faults zeroing new buffers, hand-offs between three threads). Here the thread that downloads a
 * blob reads it from the socket into one array and writes it to the store, as skopeo's goroutine does. TLS is only
 * set up (the default {@link SSLContext}, which parses the trust store) at the first https request.
 *
 * <p>Thread-safe; a connection serves one exchange at a time. Connections are opened on {@link SocketChannel}s so
 * that interrupting a thread blocked in a read ends the read (the channel closes).
 */
final class SocketTransport implements HttpTransport {
    /** Idle connections kept per origin: enough for the parallel transfers of a pull or push. */
    private static final int MAX_IDLE_PER_ORIGIN = 8;

    private final int connectTimeoutMillis;
    private final Supplier<SSLContext> tlsContext;
    private final ProxySelector proxies;
    private final Map<String, Deque<HttpConnection>> idle = new HashMap<>();
    private volatile SSLSocketFactory tlsFactory;

    /**
     * A transport trusting the JDK's default trust store (and {@code javax.net.ssl.*} settings), through the proxies
     * of the JVM's default {@link ProxySelector} ({@code http.proxyHost}, {@code https.proxyHost}...), as the JDK's
     * HttpClient did.
     */
    SocketTransport(Duration connectTimeout) {
        this(connectTimeout, SocketTransport::defaultTls, ProxySelector.getDefault());
    }

    /** A transport whose TLS connections use the context {@code tlsContext} supplies at the first https request. */
    SocketTransport(Duration connectTimeout, Supplier<SSLContext> tlsContext) {
        this(connectTimeout, tlsContext, ProxySelector.getDefault());
    }

    /** The same, through the HTTP proxies {@code proxies} names for each URL (null: none). */
    SocketTransport(Duration connectTimeout, Supplier<SSLContext> tlsContext, ProxySelector proxies) {
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
        this.tlsContext = tlsContext;
        this.proxies = proxies;
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context: " + e.getMessage(), e);
        }
    }

    @Override
    public TransportResponse send(HttpRequest request) throws IOException, InterruptedException {
        URI uri = request.uri();
        Endpoint endpoint = Endpoint.of(uri, proxies);
        String key = endpoint.key();
        HttpConnection connection = takeIdle(key);
        if (connection != null) {
            try {
                return connection.exchange(request, endpoint.target(uri), c -> release(key, c));
            } catch (HttpConnection.NoAnswerException e) {
                // The server closed the idle connection (keep-alive timeout): send it again on a new one, unless the
                // failure was this thread's interrupt (the channel closed on it).
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
        }
        return connect(endpoint).exchange(request, endpoint.target(uri), c -> release(key, c));
    }

    private HttpConnection takeIdle(String key) {
        synchronized (idle) {
            Deque<HttpConnection> connections = idle.get(key);
            return connections == null ? null : connections.pollLast();
        }
    }

    private void release(String key, HttpConnection connection) {
        HttpConnection evicted = null;
        synchronized (idle) {
            Deque<HttpConnection> connections = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            connections.addLast(connection);
            if (connections.size() > MAX_IDLE_PER_ORIGIN) {
                evicted = connections.pollFirst();
            }
        }
        if (evicted != null) {
            evicted.close();
        }
    }

    private HttpConnection connect(Endpoint endpoint) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            SocketAddress address = endpoint.proxy == null ? new InetSocketAddress(endpoint.host, endpoint.port)
                    : endpoint.proxy.isUnresolved()
                    ? new InetSocketAddress(endpoint.proxy.getHostString(), endpoint.proxy.getPort()) : endpoint.proxy;
            socket.connect(address, connectTimeoutMillis);
            if (endpoint.tls) {
                if (endpoint.proxy != null) {
                    tunnel(socket, endpoint);
                }
                socket = handshake(socket, endpoint);
            }
            return new HttpConnection(socket);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Asks the proxy for a tunnel to the origin ({@code CONNECT host:port}), for TLS to go through. */
    private static void tunnel(Socket socket, Endpoint endpoint) throws IOException {
        String authority = authority(endpoint.host, endpoint.port);
        OutputStream out = socket.getOutputStream();
        out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        // Unbuffered, so that no byte of the TLS handshake is read here.
        InputStream in = socket.getInputStream();
        String status = HttpConnection.readLine(in);
        if (status == null || !status.matches("HTTP/1\\.[01] 2\\d\\d.*")) {
            throw new IOException("the proxy " + endpoint.proxy + " refused a tunnel to " + authority + ": "
                    + status);
        }
        String line;
        do {
            line = HttpConnection.readLine(in);
            if (line == null) {
                throw new IOException("the proxy " + endpoint.proxy + " closed the tunnel to " + authority);
            }
        } while (!line.isEmpty());
    }

    private SSLSocket handshake(Socket socket, Endpoint endpoint) throws IOException {
        // Host name given, so the client sends it as SNI; HTTPS identification checks it against the certificate.
        SSLSocket tls = (SSLSocket) tlsFactory().createSocket(socket, endpoint.host, endpoint.port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    private SSLSocketFactory tlsFactory() {
        SSLSocketFactory factory = tlsFactory;
        if (factory == null) {
            factory = tlsContext.get().getSocketFactory();
            tlsFactory = factory;
        }
        return factory;
    }

    private static String authority(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Where a URL's requests go: scheme, host (IPv6 without brackets), port, and the proxy if one is used. */
    private record Endpoint(boolean tls, String host, int port, InetSocketAddress proxy) {
        static Endpoint of(URI uri, ProxySelector proxies) throws IOException {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IOException("unsupported URL scheme in " + uri + "; only http and https are");
            }
            String host = uri.getHost();
            if (host == null || host.isEmpty()) {
                throw new IOException("no host in " + uri);
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            boolean tls = scheme.equals("https");
            int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
            return new Endpoint(tls, host, port, proxyFor(uri, proxies));
        }

        private static InetSocketAddress proxyFor(URI uri, ProxySelector selector) {
            if (selector == null) {
                return null;
            }
            for (Proxy proxy : selector.select(uri)) {
                if (proxy.type() == Proxy.Type.HTTP && proxy.address() instanceof InetSocketAddress address) {
                    return address;
                }
                if (proxy.type() == Proxy.Type.DIRECT) {
                    return null;
                }
            }
            return null;
        }

        /** The pool key: connections to the same origin through the same proxy are interchangeable. */
        String key() {
            return (tls ? "https://" : "http://") + authority(host, port) + (proxy == null ? "" : " via " + proxy);
        }

        /** The request-target: the path and query, or for plain HTTP through a proxy the absolute URL. */
        String target(URI uri) {
            if (proxy != null && !tls) {
                return (uri.getRawFragment() == null ? uri.toString()
                        : uri.toString().substring(0, uri.toString().indexOf('#')));
            }
            return HttpConnection.originForm(uri);
        }
    }
}
