package dev.wharf.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The smallest in-memory registry (the distribution API's blob and manifest routes, no authentication) that a
 * {@code wharf push} and {@code wharf pull} can talk to, on a free loopback port: only for {@link CdsTraining}, so
 * that the class-data archive also holds the classes of the registry client and its transport, which a
 * fresh {@code wharf pull} otherwise loads and verifies on every start. Not a registry for anything else: it checks
 * nothing it is sent and keeps everything in memory.
 *
 * <p>Thread-safe; {@link #close} stops its server thread.
 */
final class TrainingRegistry implements AutoCloseable {
    private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/(sha256:[0-9a-f]{64})");
    private static final Pattern UPLOADS = Pattern.compile("/v2/(.+)/blobs/uploads/([^/]*)");
    private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");

    private final HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();

    private TrainingRegistry(HttpServer server) {
        this.server = server;
    }

    /** Starts a registry on a free port of the loopback address. */
    static TrainingRegistry start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        TrainingRegistry registry = new TrainingRegistry(server);
        server.createContext("/v2/", exchange -> {
            try (exchange) {
                registry.handle(exchange);
            }
        });
        server.start();
        return registry;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of references to it. */
    String host() {
        return server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        byte[] body = readBody(exchange.getRequestBody());
        Matcher m;
        if (path.equals("/v2/")) {
            respond(exchange, 200, new byte[0], method);
        } else if ((m = UPLOADS.matcher(path)).matches()) {
            upload(exchange, method, m.group(1), m.group(2), body);
        } else if ((m = BLOB.matcher(path)).matches()) {
            byte[] blob = blobs.get(m.group(2));
            if (blob == null) {
                respond(exchange, 404, new byte[0], method);
            } else {
                exchange.getResponseHeaders().set("Docker-Content-Digest", m.group(2));
                respond(exchange, 200, blob, method);
            }
        } else if ((m = MANIFEST.matcher(path)).matches()) {
            manifest(exchange, method, m.group(1) + "@" + m.group(2), m.group(1), body);
        } else {
            respond(exchange, 404, new byte[0], method);
        }
    }

    private void upload(HttpExchange exchange, String method, String name, String session, byte[] body)
            throws IOException {
        if (method.equals("POST")) {
            String id = UUID.randomUUID().toString();
            uploads.put(id, new ByteArrayOutputStream());
            exchange.getResponseHeaders().set("Location", "/v2/" + name + "/blobs/uploads/" + id);
            respond(exchange, 202, new byte[0], method);
            return;
        }
        ByteArrayOutputStream upload = uploads.get(session);
        if (upload == null) {
            respond(exchange, 404, new byte[0], method);
            return;
        }
        upload.write(body);
        if (method.equals("PATCH")) {
            exchange.getResponseHeaders().set("Location", "/v2/" + name + "/blobs/uploads/" + session);
            exchange.getResponseHeaders().set("Range", "0-" + (upload.size() - 1));
            respond(exchange, 202, new byte[0], method);
            return;
        }
        String query = exchange.getRequestURI().getQuery();
        String digest = query == null ? "" : query.replaceFirst(".*digest=([^&]+).*", "$1");
        blobs.put(digest, upload.toByteArray());
        uploads.remove(session);
        exchange.getResponseHeaders().set("Location", "/v2/" + name + "/blobs/" + digest);
        exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
        respond(exchange, 201, new byte[0], method);
    }

    private void manifest(HttpExchange exchange, String method, String key, String name, byte[] body)
            throws IOException {
        if (method.equals("PUT")) {
            String digest = sha256(body);
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            for (String k : new String[] {key, name + "@" + digest}) {
                manifests.put(k, body);
                manifestTypes.put(k, type == null ? "application/vnd.oci.image.manifest.v1+json" : type);
            }
            exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
            exchange.getResponseHeaders().set("Location", "/v2/" + name + "/manifests/" + digest);
            respond(exchange, 201, new byte[0], method);
            return;
        }
        byte[] manifest = manifests.get(key);
        if (manifest == null) {
            respond(exchange, 404, new byte[0], method);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", manifestTypes.get(key));
        exchange.getResponseHeaders().set("Docker-Content-Digest", sha256(manifest));
        respond(exchange, 200, manifest, method);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body, String method) throws IOException {
        if (method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
