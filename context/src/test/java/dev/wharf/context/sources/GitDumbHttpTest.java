package dev.wharf.context.sources;

import static dev.wharf.context.sources.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository published as static files (git's dumb HTTP protocol, after {@code git update-server-info}) cannot
 * serve {@code fetch --depth=1}; BuildKit's git runner retries without the depth, and so must wharf's.
 */
class GitDumbHttpTest {

    @TempDir
    Path tmp;

    private HttpServer server;
    private String base;
    private String commit;

    @BeforeEach
    void publishRepository() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src"));
        git(src, "init", "-q");
        Files.createDirectories(src.resolve("docs"));
        Files.writeString(src.resolve("docs/a.txt"), "one");
        git(src, "add", "-A");
        git(src, "commit", "-q", "-m", "one");
        git(src, "tag", "v1");
        commit = git(src, "rev-parse", "HEAD");
        Path site = Files.createDirectory(tmp.resolve("site"));
        Path bare = site.resolve("repo.git");
        git(tmp, "clone", "-q", "--bare", src.toString(), bare.toString());
        git(bare, "update-server-info");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                serveFile(site, exchange);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void serveFile(Path site, HttpExchange exchange) throws IOException {
        Path file = site.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
        if (!file.startsWith(site) || !Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        byte[] body = Files.readAllBytes(file);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aTagOverDumbHttp_isFetchedWithoutDepth_andCheckedOut() throws Exception {
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(base + "/repo.git#v1:docs"),
                tmp.resolve("work")).open()) {
            assertEquals("one", Files.readString(ctx.root().resolve("a.txt")));
        }
    }

    @Test
    void aKeptGitDirOverDumbHttp_isCheckedOutToo() throws Exception {
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(base + "/repo.git?ref=v1&keep-git-dir=true"),
                tmp.resolve("work")).open()) {
            assertTrue(Files.isDirectory(ctx.root().resolve(".git")));
            assertEquals("one", Files.readString(ctx.root().resolve("docs/a.txt")));
        }
    }

    @Test
    void aCommitOverDumbHttp_isCheckedOut() throws Exception {
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(base + "/repo.git#" + commit),
                tmp.resolve("work")).open()) {
            assertEquals("one", Files.readString(ctx.root().resolve("docs/a.txt")));
        }
    }

    @Test
    void onlyAShallowFailure_dropsTheDepth() {
        List<String> fetch = List.of("fetch", "-q", "--depth=1", "--", "origin", "v1");
        assertEquals(Optional.of(List.of("fetch", "-q", "--", "origin", "v1")), ShallowFallback.retryArgs(fetch,
                "fatal: dumb http transport does not support shallow capabilities"));
        assertEquals(Optional.of(List.of("submodule", "update")), ShallowFallback.retryArgs(
                List.of("submodule", "update", "--depth", "1"), "fatal: Server does not support --depth"));
        assertEquals(Optional.empty(), ShallowFallback.retryArgs(fetch, "fatal: repository not found"));
        assertEquals(Optional.empty(), ShallowFallback.retryArgs(List.of("fetch", "--tags", "origin"),
                "fatal: dumb http transport does not support shallow capabilities"));
    }
}
