package dev.wharf.layers.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.GoRequestError;
import dev.wharf.layers.json.JsonTrees;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks a token server for a bearer token the way docker buildx does (BuildKit's session auth provider over
 * containerd's {@code remotes/docker/auth}): with stored credentials it first POSTs an OAuth2 form to the realm
 * ({@code grant_type=password} with user name and password, or {@code refresh_token} for an identity token) and
 * only when the server answers 404, 401, or 405 to a user name, GETs the token with Basic credentials instead, as
 * token servers without the OAuth endpoint (GCR, Artifactory) need; without credentials it GETs anonymously.
 *
 * <p>Thread-safe: the GET URLs, which depend only on the realm, service and scopes, are built once per triple.
 */
final class TokenFetcher {
    /** distribution's token handler assumes 60 s when the token server gives no expiry (minimumTokenLifetime). */
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    /** The most of a token server's answer read: tokens are a few kilobytes; more is not a token answer. */
    private static final int MAX_TOKEN_ANSWER = 1024 * 1024;
    /** The most token URLs remembered: one per realm and scope set, a handful for a build. */
    private static final int MAX_CACHED_URIS = 256;
    /** The OAuth2 client id wharf names itself with (BuildKit sends {@code buildkit-client}). */
    private static final String CLIENT_ID = "wharf";
    /** How BuildKit's resolver wraps a failed token request: the authorizer's prefix, then the provider's. */
    private static final String ANONYMOUS_FAILED = "failed to authorize: failed to fetch anonymous token: ";
    private static final String OAUTH_FAILED = "failed to authorize: failed to fetch oauth token: ";

    private final HttpTransport http;
    private final String userAgent;
    private final Map<TokenTarget, URI> getUris = new ConcurrentHashMap<>();

    TokenFetcher(HttpTransport http, String userAgent) {
        this.http = http;
        this.userAgent = userAgent;
    }

    /** What a token is asked for: the challenge's realm and service, and the scopes wanted. */
    record TokenTarget(String realm, Optional<String> service, List<String> scopes) {
        TokenTarget {
            scopes = List.copyOf(scopes);
        }
    }

    /** A token and how long the server said it lives (the default when it did not say). */
    record Token(String value, Duration lifetime) {
    }

    /**
     * Fetches a token for {@code target}, with {@code credential} when there is one.
     *
     * @param registry the registry the token is for, for messages
     * @param what the operation that needs the token, for messages
     * @throws RegistryException if the token server cannot be reached, refuses, or answers without a token
     */
    Token fetch(TokenTarget target, Optional<Credential> credential, String registry, String what)
            throws RegistryException {
        if (credential.isEmpty() || credential.get().secret().isEmpty()) {
            return get(target, Optional.empty(), registry, what);
        }
        Credential c = credential.get();
        Answer posted = send(post(target, c), target.realm(), OAUTH_FAILED, "POST", registry, what);
        boolean noOAuth = posted.status() == 404 || posted.status() == 401
                || posted.status() == 405 && !c.identityToken();
        if (noOAuth) {
            return get(target, credential, registry, what);
        }
        return token(posted, target.realm(), OAUTH_FAILED, "POST", URI.create(target.realm()), true, credential,
                registry, what);
    }

    private Token get(TokenTarget target, Optional<Credential> credential, String registry, String what)
            throws RegistryException {
        if (getUris.size() >= MAX_CACHED_URIS) {
            getUris.clear(); // a long-lived client asking for many repositories keeps only recent URLs
        }
        URI uri = getUris.computeIfAbsent(target, t -> goTokenUri(t.realm(), t.service(), t.scopes()));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("User-Agent", userAgent).GET();
        credential.ifPresent(c -> request.header("Authorization", basic(c)));
        String goPrefix = credential.isPresent() ? OAUTH_FAILED : ANONYMOUS_FAILED;
        Answer answer = send(request.build(), target.realm(), goPrefix, "GET", registry, what);
        return token(answer, target.realm(), goPrefix, "GET", uri, false, credential, registry, what);
    }

    /** The OAuth2 form as Go's url.Values encodes it: keys sorted, each value QueryEscaped. */
    private HttpRequest post(TokenTarget target, Credential credential) {
        Map<String, String> form = new TreeMap<>();
        if (!target.scopes().isEmpty()) {
            form.put("scope", String.join(" ", new TreeSet<>(target.scopes())));
        }
        form.put("service", target.service().orElse(""));
        form.put("client_id", CLIENT_ID);
        if (credential.identityToken()) {
            form.put("grant_type", "refresh_token");
            form.put("refresh_token", credential.secret());
        } else {
            form.put("grant_type", "password");
            form.put("username", credential.username());
            form.put("password", credential.secret());
        }
        StringBuilder body = new StringBuilder();
        form.forEach((key, value) -> body.append(body.length() == 0 ? "" : "&").append(key).append('=')
                .append(goQueryEscape(value)));
        return HttpRequest.newBuilder(URI.create(target.realm())).header("User-Agent", userAgent)
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private record Answer(int status, byte[] body) {
    }

    private Answer send(HttpRequest request, String realm, String goPrefix, String method, String registry,
            String what) throws RegistryException {
        try (TransportResponse response = http.send(request)) {
            return new Answer(response.statusCode(), response.body().readNBytes(MAX_TOKEN_ANSWER));
        } catch (IOException e) {
            throw new RegistryException(what + ": cannot reach token server " + realm + " of registry " + registry
                    + ": " + e.getMessage(), goPrefix + GoRequestError.of(method, request.uri(), e), -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(what + ": interrupted while fetching a token from " + realm, e);
        }
    }

    /**
     * The token of an answer. containerd takes any status from 200 to 399 as an answer; the OAuth endpoint's token
     * is {@code access_token}, the GET endpoint's {@code token} unless {@code access_token} is also there.
     */
    private static Token token(Answer answer, String realm, String goPrefix, String method, URI uri, boolean oauth,
            Optional<Credential> credential, String registry, String what) throws RegistryException {
        int status = answer.status();
        if (status < 200 || status >= 400) {
            String goReason = goPrefix + GoRequestError.unexpectedStatus(method, uri, status);
            String message = status == 401 || status == 403
                    ? what + ": token server " + realm + " rejected "
                            + (credential.isPresent() ? "the credentials for " : "anonymous access to ") + registry
                            + " (HTTP " + status + "); check docker login " + registry
                    : what + ": token server " + realm + " answered HTTP " + status + ": "
                            + RegistryCaller.snippet(answer.body());
            throw new RegistryException(message, goReason, status, null);
        }
        JsonNode body;
        try {
            body = JsonTrees.parse(answer.body());
        } catch (IOException e) {
            throw new RegistryException(what + ": token server " + realm + " answered with invalid JSON: "
                    + e.getMessage(), status, e);
        }
        String token = body.path("access_token").asText("");
        if (token.isEmpty() && !oauth) {
            token = body.path("token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryException(what + ": token server " + realm + " answered without a token"
                    + (oauth ? " (no access_token in its OAuth2 answer)" : ""),
                    goPrefix + "authorization server did not include a token in the response", status, null);
        }
        long expiresIn = body.path("expires_in").asLong(0);
        return new Token(token, expiresIn > 0 ? Duration.ofSeconds(expiresIn) : DEFAULT_LIFETIME);
    }

    /**
     * The token URL as containerd's FetchToken sends it: the realm's own query with {@code service} and the sorted,
     * distinct scopes added, encoded as Go's url.Values (keys sorted, QueryEscape).
     */
    private static URI goTokenUri(String realm, Optional<String> service, List<String> scopes) {
        TreeMap<String, List<String>> params = new TreeMap<>();
        int question = realm.indexOf('?');
        String base = question < 0 ? realm : realm.substring(0, question);
        if (question >= 0) {
            for (String pair : realm.substring(question + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq),
                            StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1),
                            StandardCharsets.UTF_8);
                    params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                }
            }
        }
        service.filter(s -> !s.isEmpty()).ifPresent(s -> params.computeIfAbsent("service", k -> new ArrayList<>()).add(s));
        for (String scope : new TreeSet<>(scopes)) {
            params.computeIfAbsent("scope", k -> new ArrayList<>()).add(scope);
        }
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            for (String value : param.getValue()) {
                query.append(query.length() == 0 ? "" : "&").append(goQueryEscape(param.getKey())).append('=')
                        .append(goQueryEscape(value));
            }
        }
        return URI.create(base + (query.length() == 0 ? "" : "?" + query));
    }

    /** Go's url.QueryEscape: only letters, digits and {@code -_.~} stay; a space is {@code +}. */
    private static String goQueryEscape(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    /** Basic {@code user:secret}; for an identity token the user name is empty, as BuildKit's provider sends it. */
    private static String basic(Credential credential) {
        String user = credential.identityToken() ? "" : credential.username();
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + credential.secret())
                .getBytes(StandardCharsets.UTF_8));
    }
}
