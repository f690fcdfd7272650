package dev.wharf.builder.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Git repositories served over git's smart HTTP protocol on 127.0.0.1 and a free port: a JDK HTTP server that runs
 * {@code git http-backend} as a CGI program for each request (so shallow fetches work, as BuildKit's and wharf's
 * {@code git fetch --depth=1} need), repositories under a base directory, {@code http://127.0.0.1:PORT/NAME.git}.
 * Both wharf and the peer's BuildKit clone from it. Closing stops the server.
 */
public final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final Path base;
    private volatile String requiredAuthorization;

    private GitHttpServer(HttpServer server, Path base) {
        this.server = server;
        this.base = base;
    }

    /** Starts a server for the repositories under {@code base} (created if missing). */
    public static GitHttpServer start(Path base) throws IOException {
        Files.createDirectories(base);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        GitHttpServer git = new GitHttpServer(server, base);
        server.createContext("/", exchange -> {
            try (exchange) {
                git.serve(exchange);
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(500, -1);
            }
        });
        server.start();
        return git;
    }

    /**
     * From now on, answers 401 to a request without exactly this {@code Authorization} header, as a private
     * repository's server does.
     */
    public GitHttpServer requireAuthorization(String value) {
        requiredAuthorization = value;
        return this;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The URL of repository {@code name}: {@code http://127.0.0.1:PORT/NAME.git}. */
    public String url(String name) {
        return root() + "/" + name + ".git";
    }

    /**
     * Makes repository {@code name} from the files of {@code tree}: one commit of them on {@code main}, tagged
     * {@code v1} (annotated), then a second commit adding {@code after-v1.txt}, so the tag and the branch differ.
     *
     * @return the commit the tag points at
     */
    public String publish(String name, Path tree) throws IOException, InterruptedException {
        Path work = base.resolve(name + ".work");
        Files.createDirectories(work);
        git(work, "init", "-q");
        git(tree, "--work-tree", tree.toString(), "--git-dir", work.resolve(".git").toString(), "add", "-A", ".");
        git(work, "commit", "-q", "-m", "first");
        String commit = git(work, "rev-parse", "HEAD");
        git(work, "tag", "-a", "-m", "version 1", "v1");
        Files.writeString(work.resolve("after-v1.txt"), "later\n");
        git(work, "add", "after-v1.txt");
        git(work, "commit", "-q", "-m", "second");
        git(base, "clone", "-q", "--bare", work.toString(), base.resolve(name + ".git").toString());
        return commit;
    }

    /**
     * Makes repository {@code name} from the files of {@code tree} with repository {@code submodule} of this server
     * (published before) as a submodule at {@code path}, in one commit on {@code main}.
     *
     * @return that commit
     */
    public String publishWithSubmodule(String name, Path tree, String path, String submodule)
            throws IOException, InterruptedException {
        Path work = base.resolve(name + ".work");
        Files.createDirectories(work);
        git(work, "init", "-q");
        git(tree, "--work-tree", tree.toString(), "--git-dir", work.resolve(".git").toString(), "add", "-A", ".");
        git(work, "submodule", "add", "-q", url(submodule), path);
        git(work, "commit", "-q", "-m", "with a submodule");
        String commit = git(work, "rev-parse", "HEAD");
        git(base, "clone", "-q", "--bare", work.toString(), base.resolve(name + ".git").toString());
        return commit;
    }

    /** The id of tag {@code tag} of repository {@code name} itself: an annotated tag's object, not its commit. */
    public String tagObject(String name, String tag) throws IOException, InterruptedException {
        return git(base, "--git-dir", base.resolve(name + ".git").toString(), "rev-parse", "refs/tags/" + tag);
    }

    private void serve(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String required = requiredAuthorization;
        if (required != null && !required.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            exchange.sendResponseHeaders(401, -1);
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("git", "http-backend").redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.put("GIT_PROJECT_ROOT", base.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? ""
                : exchange.getRequestURI().getRawQuery());
        env.put("CONTENT_LENGTH", Integer.toString(body.length));
        env.put("REMOTE_ADDR", "127.0.0.1");
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null) {
            env.put("CONTENT_TYPE", type);
        }
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null) {
            env.put("HTTP_CONTENT_ENCODING", encoding);
        }
        String protocol = exchange.getRequestHeaders().getFirst("Git-Protocol");
        if (protocol != null) {
            env.put("GIT_PROTOCOL", protocol);
        }
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(body);
        }
        byte[] out;
        try (InputStream stdout = p.getInputStream()) {
            out = stdout.readAllBytes();
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // CGI output: headers (Status: among them), an empty line, the body.
        int split = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        int skip = 4;
        if (split < 0) {
            split = indexOf(out, "\n\n".getBytes(StandardCharsets.ISO_8859_1));
            skip = 2;
        }
        if (split < 0) {
            exchange.sendResponseHeaders(500, -1);
            return;
        }
        int status = 200;
        for (String line : new String(out, 0, split, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ", 2)[0]);
            } else {
                exchange.getResponseHeaders().add(key, value);
            }
        }
        int length = out.length - split - skip;
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length > 0) {
            try (OutputStream response = exchange.getResponseBody()) {
                response.write(out, split + skip, length);
            }
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=wharf", "-c", "user.email=t@example.com",
                "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        p.getInputStream().transferTo(output);
        String text = output.toString(StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + text);
        }
        return text;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
