package dev.wharf.context.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.context.ContextException;
import dev.wharf.layers.Digest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a real loopback server, BuildKit's file-name rule, Go's time layouts and proxy rules. */
class HttpDownloaderTest {
    @TempDir
    Path tmp;

    @Test
    void fileName_isThePathsLastElement_orUnnamed() {
        assertEquals("b.tar.gz", HttpDownloader.fileName("https://h/a/b.tar.gz?x=1#f"));
        assertEquals("a", HttpDownloader.fileName("https://h/a/"));
        assertEquals("with space", HttpDownloader.fileName("https://h/with%20space"));
        assertEquals("__unnamed__", HttpDownloader.fileName("https://h"));
        assertEquals("__unnamed__", HttpDownloader.fileName("https://h/"));
        assertEquals("__unnamed__", HttpDownloader.fileName("https://h/.."));
        assertEquals("__unnamed__", HttpDownloader.fileName("http://[bad"));
    }

    @Test
    void lastModified_acceptsGosThreeLayouts() {
        Instant t = Instant.parse("1994-11-06T08:49:37Z");
        assertEquals(Optional.of(t), HttpDownloader.parseTime("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(Optional.of(t), HttpDownloader.parseTime("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(Optional.of(t), HttpDownloader.parseTime("Sun Nov  6 08:49:37 1994"));
        assertEquals(Optional.empty(), HttpDownloader.parseTime("yesterday"));
    }

    @Test
    void download_hashesWhileWriting_mode0600_andReportsHeaders() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        server.createContext("/f", ex -> {
            ex.getResponseHeaders().add("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT");
            ex.getResponseHeaders().add("ETag", "W/\"abc\"");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/f";
            HttpDownloader.Download d = HttpDownloader.fromEnvironment(Map.of()).download(url, tmp.resolve("f"));
            assertEquals(Digest.sha256Of(body), d.digest());
            assertEquals(5, d.size());
            assertEquals(Optional.of(Instant.parse("1994-11-06T08:49:37Z")), d.lastModified());
            assertEquals(Optional.of("\"abc\""), d.etag(), "the weak prefix is dropped, as source/http etagValue does");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("f"))));
            ContextException e = assertThrows(ContextException.class, () -> HttpDownloader.fromEnvironment(Map.of())
                    .download(url.replace("/f", "/missing"), tmp.resolve("g")));
            assertTrue(e.getMessage().contains("invalid response status 404"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void download_ofAHostThatDoesNotResolve_saysNoSuchHost_notConnectionRefused() {
        // .invalid never resolves (RFC 2606); BuildKit fails with Go's "dial tcp: lookup HOST ...: no such host".
        String url = "http://wharf-no-such-host.invalid/file.tar.gz";
        ContextException e = assertThrows(ContextException.class,
                () -> HttpDownloader.fromEnvironment(Map.of()).download(url, tmp.resolve("f")));
        assertEquals("cannot download " + url + ": dial tcp: lookup wharf-no-such-host.invalid: no such host",
                e.getMessage());
    }

    @Test
    void failures_sayInGosWordsWhatBuildKitsHttpSourceSays() throws Exception {
        // net/http's url.Error, which BuildKit's "failed to load cache key: ..." ends with.
        String nowhere = "http://wharf-no-such-host.invalid/f";
        HttpDownloader.Failure lookup = assertThrows(HttpDownloader.Failure.class,
                () -> HttpDownloader.fromEnvironment(Map.of()).download(nowhere, tmp.resolve("f")));
        assertEquals("Get \"" + nowhere + "\": dial tcp: lookup wharf-no-such-host.invalid: no such host",
                lookup.goReason());
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String refused = "http://127.0.0.1:" + port + "/x";
        HttpDownloader.Failure dial = assertThrows(HttpDownloader.Failure.class,
                () -> HttpDownloader.fromEnvironment(Map.of()).download(refused, tmp.resolve("g")));
        assertEquals("Get \"" + refused + "\": dial tcp 127.0.0.1:" + port + ": connect: connection refused",
                dial.goReason());
        assertTrue(dial.getMessage().startsWith("cannot download " + refused + ": connection refused"),
                dial.getMessage());
        // A connect that fails otherwise (EINVAL: a link-local address without a zone) is no refused connection.
        String unusable = "http://[fe80::1]:9/x";
        HttpDownloader.Failure invalid = assertThrows(HttpDownloader.Failure.class,
                () -> HttpDownloader.fromEnvironment(Map.of()).download(unusable, tmp.resolve("h")));
        assertFalse(invalid.getMessage().contains("refused"), invalid.getMessage());
        assertFalse(invalid.goReason().contains("refused"), invalid.goReason());
    }

    @Test
    void proxies_comeFromTheEnvironment_exceptLoopbackAndNoProxy() {
        EnvProxySelector s = EnvProxySelector.of(Map.of("HTTPS_PROXY", "proxy.corp:3128",
                "http_proxy", "http://p2:8080", "NO_PROXY", "internal.corp,.svc"));
        assertEquals(List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.corp", 3128))),
                s.select(URI.create("https://example.com/x")));
        assertEquals(List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("p2", 8080))),
                s.select(URI.create("http://example.com/x")));
        assertEquals(List.of(Proxy.NO_PROXY), s.select(URI.create("https://internal.corp/x")));
        assertEquals(List.of(Proxy.NO_PROXY), s.select(URI.create("https://a.internal.corp/x")));
        assertEquals(List.of(Proxy.NO_PROXY), s.select(URI.create("https://api.svc/x")));
        assertEquals(List.of(Proxy.NO_PROXY), s.select(URI.create("http://127.0.0.1:9/x")));
        assertEquals(List.of(Proxy.NO_PROXY), s.select(URI.create("http://localhost/x")));
        assertEquals(List.of(Proxy.NO_PROXY), EnvProxySelector.of(Map.of("HTTPS_PROXY", "p:1", "NO_PROXY", "*"))
                .select(URI.create("https://example.com")));
    }

    @Test
    void gitAddSources_followBuildKitsDetection() throws Exception {
        assertTrue(GitRemote.forAdd("https://github.com/o/r.git#main:dir").isPresent());
        assertTrue(GitRemote.forAdd("git@github.com:o/r.git").isPresent());
        assertTrue(GitRemote.forAdd("git://host/r").isPresent());
        assertTrue(GitRemote.forAdd("ssh://git@host/r").isPresent());
        assertTrue(GitRemote.forAdd("https://example.com/file.tar.gz").isEmpty());
        assertTrue(GitRemote.forAdd("github.com/o/r").isEmpty(), "indistinguishable from a local path");
        assertTrue(GitRemote.forAdd("file:///srv/r.git").isEmpty());
        assertTrue(GitRemote.forAdd("/abs/path").isEmpty());
        assertTrue(GitRemote.forAdd("./rel.git").isEmpty());
        assertTrue(GitRemote.forAdd("src/").isEmpty());
    }
}
