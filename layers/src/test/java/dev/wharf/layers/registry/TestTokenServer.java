package dev.wharf.layers.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small token service for tests, speaking distribution's token protocol: {@code GET /token?service=&scope=} with
 * optional Basic credentials answers {@code {"token": JWT}}, and its OAuth2 endpoint, {@code POST /token} with a
 * form ({@code grant_type=password} and the user's name and password, or {@code grant_type=refresh_token} and
 * {@link #REFRESH_TOKEN}) answers {@code {"access_token": JWT}}; {@link #refusePost} makes it answer POSTs with a
 * status instead, as token servers without the OAuth2 endpoint do. It remembers every request. Tokens are RS256 JWTs carrying the signing
 * certificate in {@code x5c}, which a real registry verifies against the {@link #certificateBundle()} configured as
 * its {@code rootcertbundle}. One user is known; it gets every action it asks for, anonymous callers get none.
 * The key and self-signed certificate are made with the JDK's {@code keytool}.
 */
final class TestTokenServer implements AutoCloseable {
    static final String SERVICE = "wharf-test-registry";
    static final String ISSUER = "wharf-test-issuer";
    /** The identity token the user may exchange with the refresh-token grant. */
    static final String REFRESH_TOKEN = "wharf-test-refresh-token";

    /** One request the server got: method, raw query, the decoded form of a POST, the Authorization header. */
    record Request(String method, String query, java.util.Map<String, String> form, String contentType,
            String authorization) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Path bundle;
    private final String user;
    private final String password;
    private final AtomicInteger issued = new AtomicInteger();
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Request> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile int refusePost;

    private TestTokenServer(HttpServer server, ExecutorService executor, PrivateKey key,
            X509Certificate certificate, Path bundle, String user, String password) {
        this.server = server;
        this.executor = executor;
        this.key = key;
        this.certificate = certificate;
        this.bundle = bundle;
        this.user = user;
        this.password = password;
    }

    /** Makes a key pair and certificate under {@code dir} and starts serving tokens for one user. */
    static TestTokenServer start(Path dir, String user, String password) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path keystore = dir.resolve("token-signing.p12");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "token", "-keyalg", "RSA",
                "-keysize", "2048", "-sigalg", "SHA256withRSA", "-dname", "CN=wharf test token issuer",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey("token", "changeit".toCharArray());
        X509Certificate certificate = (X509Certificate) store.getCertificate("token");
        Path bundle = dir.resolve("token-ca.pem");
        Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-token-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        TestTokenServer tokens = new TestTokenServer(server, executor, key, certificate, bundle, user, password);
        server.createContext("/token", tokens::handle);
        server.start();
        return tokens;
    }

    /** Returns the realm URL for the registry's config. */
    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** Returns the PEM file holding the signing certificate. */
    Path certificateBundle() {
        return bundle;
    }

    /** Returns how many tokens were issued so far. */
    int issued() {
        return issued.get();
    }

    /** Every request so far, in order. */
    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Makes POSTs answer {@code status} with no token (0: serve them). */
    void refusePost(int status) {
        refusePost = status;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getRawQuery();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (exchange.getRequestMethod().equals("POST")) {
                java.util.Map<String, String> form = new java.util.LinkedHashMap<>();
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                for (String pair : body.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
                requests.add(new Request("POST", query, form, exchange.getRequestHeaders().getFirst("Content-Type"),
                        authorization));
                oauth(exchange, form);
                return;
            }
            requests.add(new Request(exchange.getRequestMethod(), query, java.util.Map.of(), null, authorization));
            List<String> scopes = new ArrayList<>();
            String service = "";
            for (String pair : query == null ? new String[0] : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (name.equals("scope")) {
                    scopes.add(value);
                } else if (name.equals("service")) {
                    service = value;
                }
            }
            boolean authenticated = false;
            if (authorization != null) {
                String expected = "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
                if (!authorization.equals(expected)) {
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                authenticated = true;
            }
            byte[] body = mapper.writeValueAsBytes(mapper.createObjectNode()
                    .put("token", jwt(service, authenticated ? user : "", authenticated ? scopes : List.of()))
                    .put("expires_in", 300)
                    .put("issued_at", Instant.now().toString()));
            issued.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** The OAuth2 endpoint: a token for the user's password or refresh token, 401 for anything else. */
    private void oauth(HttpExchange exchange, java.util.Map<String, String> form) throws IOException {
        try {
            if (refusePost != 0) {
                exchange.sendResponseHeaders(refusePost, -1);
                return;
            }
            String grant = form.getOrDefault("grant_type", "");
            boolean valid = grant.equals("password") && user.equals(form.get("username"))
                    && password.equals(form.get("password"))
                    || grant.equals("refresh_token") && REFRESH_TOKEN.equals(form.get("refresh_token"));
            if (!valid) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            List<String> scopes = form.containsKey("scope") ? List.of(form.get("scope").split(" ")) : List.of();
            byte[] body = mapper.writeValueAsBytes(mapper.createObjectNode()
                    .put("access_token", jwt(form.getOrDefault("service", ""), user, scopes))
                    .put("expires_in", 300)
                    .put("scope", form.getOrDefault("scope", "")));
            issued.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private String jwt(String audience, String subject, List<String> scopes) throws Exception {
        ObjectNode header = mapper.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = mapper.createObjectNode().put("iss", ISSUER).put("sub", subject).put("aud", audience)
                .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            // repository:<name>:<actions>; the name may itself contain no colon in these tests.
            String[] parts = scope.split(":");
            if (parts.length == 3) {
                ObjectNode entry = access.addObject().put("type", parts[0]).put("name", parts[1]);
                ArrayNode actions = entry.putArray("actions");
                for (String action : parts[2].split(",")) {
                    actions.add(action);
                }
            }
        }
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(mapper.writeValueAsBytes(header)) + "."
                + url.encodeToString(mapper.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(signature.sign());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
