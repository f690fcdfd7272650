package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.TestImages;
import dev.wharf.layers.testing.PeerTools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blocking transport against a real docker-registry serving HTTPS with a certificate made for the test (for
 * {@code localhost} only): a blob uploaded with a request body and fetched whole, from an offset and by HEAD on
 * kept-alive TLS connections; host names checked against the certificate; an untrusted certificate refused; a whole
 * image pushed and pulled by the registry client over HTTPS (a second registry named by the machine's host name);
 * a thread stuck on a silent server freed by an interrupt; a kept connection the server closed replaced; requests
 * through a real HTTP proxy (tinyproxy). Plain HTTP is covered by every other registry test.
 */
class SocketTransportTest {
    @TempDir
    static Path dir;

    private static LocalRegistry registry;
    private static SSLContext trustingTestCertificate;

    @BeforeAll
    static void startTlsRegistry() throws Exception {
        Path[] pair = certificate(dir.resolve("localhost"), "localhost");
        registry = LocalRegistry.startTls(Files.createDirectories(dir.resolve("registry")), "localhost", pair[0],
                pair[1]);
        trustingTestCertificate = trusting(pair[0]);
    }

    /** A self-signed certificate for {@code name} and its key, made by openssl: {certificate, key}. */
    private static Path[] certificate(Path into, String name) throws Exception {
        Path openssl = PeerTools.require("openssl", "openssl");
        Files.createDirectories(into);
        Path certificate = into.resolve("cert.pem");
        Path key = into.resolve("key.pem");
        Process p = new ProcessBuilder(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                "2", "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name, "-keyout", key.toString(),
                "-out", certificate.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            fail("openssl req failed: " + output);
        }
        return new Path[] {certificate, key};
    }

    /** A TLS context that trusts the one PEM certificate. */
    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private static SocketTransport transport() {
        return new SocketTransport(Duration.ofSeconds(5), () -> trustingTestCertificate);
    }

    private static URI uri(String host, String path) {
        return URI.create("https://" + host + ":" + registry.port() + path);
    }

    @Test
    void blobUploadedAndDownloadedOverTls_wholeFromAnOffsetAndByHead() throws Exception {
        SocketTransport transport = transport();
        byte[] blob = new byte[3 * 1024 * 1024 + 17];
        new Random(5).nextBytes(blob);
        Digest digest = Digest.sha256Of(blob);

        URI location;
        try (TransportResponse started = transport.send(HttpRequest.newBuilder(uri("localhost",
                "/v2/tls/test/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build())) {
            assertEquals(202, started.statusCode());
            location = started.uri().resolve(started.headers().firstValue("Location").orElseThrow());
        }
        URI put = URI.create(location + (location.getRawQuery() == null ? "?" : "&") + "digest=" + digest);
        try (TransportResponse finished = transport.send(HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(blob)), blob.length)).build())) {
            assertEquals(201, finished.statusCode(), new String(finished.body().readAllBytes(),
                    StandardCharsets.UTF_8));
        }

        URI blobUri = uri("localhost", "/v2/tls/test/blobs/" + digest);
        try (TransportResponse whole = transport.send(HttpRequest.newBuilder(blobUri).GET().build())) {
            assertEquals(200, whole.statusCode());
            assertArrayEquals(blob, whole.body().readAllBytes());
        }
        try (TransportResponse rest = transport.send(HttpRequest.newBuilder(blobUri)
                .header("Range", "bytes=1000000-").GET().build())) {
            assertEquals(206, rest.statusCode());
            assertArrayEquals(Arrays.copyOfRange(blob, 1_000_000, blob.length), rest.body().readAllBytes());
        }
        try (TransportResponse head = transport.send(HttpRequest.newBuilder(blobUri)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build())) {
            assertEquals(200, head.statusCode());
            assertEquals(blob.length, head.headers().firstValueAsLong("Content-Length").orElseThrow());
            assertEquals(-1, head.body().read(), "a HEAD answer has no body");
        }
        try (TransportResponse missing = transport.send(HttpRequest.newBuilder(uri("localhost",
                "/v2/tls/test/blobs/" + Digest.sha256Of(new byte[1]))).GET().build())) {
            assertEquals(404, missing.statusCode());
            assertTrue(new String(missing.body().readAllBytes(), StandardCharsets.UTF_8).contains("BLOB_UNKNOWN"));
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefused() {
        // The certificate names localhost only; 127.0.0.1 is the same server but not the name it proves.
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> transport().send(
                HttpRequest.newBuilder(uri("127.0.0.1", "/v2/")).GET().build()));
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
    }

    @Test
    void anUntrustedCertificateIsRefusedByTheDefaultTrustStore() {
        assertThrows(SSLHandshakeException.class, () -> new SocketTransport(Duration.ofSeconds(5)).send(
                HttpRequest.newBuilder(uri("localhost", "/v2/")).GET().build()));
    }

    @Test
    void anInterruptFreesAThreadWaitingForASilentServer() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    new SocketTransport(Duration.ofSeconds(5)).send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + silent.getLocalPort() + "/v2/")).GET().build()).close();
                } catch (IOException | InterruptedException | RuntimeException e) {
                    outcome.set(e);
                }
            });
            caller.start();
            try (Socket accepted = silent.accept()) {
                caller.interrupt();
                caller.join(Duration.ofSeconds(30).toMillis());
                assertFalse(caller.isAlive(), "the interrupted request still waits for the silent server");
            }
            assertTrue(outcome.get() instanceof IOException, String.valueOf(outcome.get()));
        }
    }
    @Test
    void aHostNameThatDoesNotResolveFailsAsAnUnknownHost() {
        // RegistryCaller recognises this (or UnresolvedAddressException) to fail at once instead of retrying.
        IOException e = assertThrows(IOException.class, () -> new SocketTransport(Duration.ofSeconds(5)).send(
                HttpRequest.newBuilder(URI.create("http://registry.does-not-exist.invalid/v2/")).GET().build()));
        assertTrue(RegistryCaller.isUnresolvedHost(e), e.toString());
    }

    @Test
    void aKeptConnectionTheServerClosedMeanwhileIsReplacedByANewOne() throws Exception {
        // A server that answers one request per connection with keep-alive, then closes it, as a server does whose
        // idle timeout passed between two requests of a pull.
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            Thread serving = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket socket = server.accept()) {
                        connections.incrementAndGet();
                        InputStream in = socket.getInputStream();
                        String line;
                        while ((line = HttpConnection.readLine(in)) != null && !line.isEmpty()) {
                            // The request's head; GETs have no body.
                        }
                        socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                .getBytes(StandardCharsets.ISO_8859_1));
                        socket.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            serving.start();
            SocketTransport transport = new SocketTransport(Duration.ofSeconds(5));
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/");
            for (int i = 0; i < 2; i++) {
                try (TransportResponse response = transport.send(HttpRequest.newBuilder(uri).GET().build())) {
                    assertEquals(200, response.statusCode());
                    assertEquals("ok", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            serving.join(10_000);
            assertEquals(2, connections.get(), "the second request went over a new connection");
        }
    }

    @Test
    void anImagePushedAndPulledByTheRegistryClientOverTls() throws Exception {
        // Named by the machine's host name, not loopback syntax, so the client speaks HTTPS (PlainHttpPolicy).
        String name = InetAddress.getLocalHost().getHostName();
        assertFalse(PlainHttpPolicy.isLoopback(name), "the host name " + name + " reads as loopback");
        Path[] pair = certificate(dir.resolve("named"), name);
        try (LocalRegistry named = LocalRegistry.startTls(Files.createDirectories(dir.resolve("named-registry")),
                name, pair[0], pair[1])) {
            SSLContext trust = trusting(pair[0]);
            RegistryClient client = RegistryClient.create(RegistryOptions.defaults(),
                    new SocketTransport(Duration.ofSeconds(5), () -> trust));
            LocalStore seed = LocalStore.open(dir.resolve("seed"));
            Platform amd64 = Platform.of("linux", "amd64");
            TestImages.Written image = RegistryTestImages.withLayerOfSize(seed, amd64, 3_000_000, 9);
            ImageReference ref = named.reference("tls/app:1");
            new ImagePusher(client).push(seed, image.manifest(), ref, Optional.empty());

            LocalStore target = LocalStore.open(dir.resolve("pulled"));
            PullResult pulled = new ImagePuller(client).pull(ref, amd64, target, ImageName.parse("app:1"));
            assertEquals(image.manifest().digest(), pulled.manifest().digest());
            for (Descriptor layer : image.layers()) {
                assertTrue(target.blobs().exists(layer.digest()), "layer " + layer.digest() + " pulled");
            }
        }
    }

    @Test
    void throughAnHttpProxy_plainRequestsByAbsoluteUrlAndTlsThroughATunnel() throws Exception {
        Path tinyproxy = PeerTools.require("tinyproxy", "tinyproxy");
        Path proxyDir = Files.createDirectories(dir.resolve("proxy"));
        Path log = proxyDir.resolve("tinyproxy.log");
        int port = LocalRegistry.freePort();
        Path config = proxyDir.resolve("tinyproxy.conf");
        // No ConnectPort line: tunnels to any port are allowed.
        Files.writeString(config, "Port " + port + "\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 30\n"
                + "LogLevel Connect\nLogFile \"" + log + "\"\n");
        Process proxy = new ProcessBuilder(tinyproxy.toString(), "-d", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(proxyDir.resolve("out.txt").toFile()).start();
        try (LocalRegistry plain = LocalRegistry.start(Files.createDirectories(dir.resolve("plain-registry")),
                new LocalRegistry.NoAuth())) {
            awaitPort(port, proxy);
            SocketTransport transport = new SocketTransport(Duration.ofSeconds(5), () -> trustingTestCertificate,
                    ProxySelector.of(new InetSocketAddress("127.0.0.1", port)));
            for (URI uri : List.of(URI.create("http://" + plain.host() + "/v2/"), uri("localhost", "/v2/"))) {
                try (TransportResponse response = transport.send(HttpRequest.newBuilder(uri).GET().build())) {
                    assertEquals(200, response.statusCode(), uri.toString());
                    assertEquals("{}", new String(response.body().readAllBytes(), StandardCharsets.UTF_8).trim());
                }
            }
            String seen = Files.readString(log);
            assertTrue(seen.contains("GET http://" + plain.host() + "/v2/"), seen);
            assertTrue(seen.contains("CONNECT localhost:" + registry.port()), seen);
        } finally {
            proxy.destroy();
            proxy.waitFor();
        }
    }

    private static void awaitPort(int port, Process process) throws Exception {
        for (int i = 0; i < 200 && process.isAlive(); i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        fail("tinyproxy did not listen on " + port);
    }
}
