package dev.wharf.layers.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.json.JsonTrees;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registry auth challenges and remembers the result: Basic credentials per registry, bearer tokens per
 * registry and scope (distribution's token flow: the {@code WWW-Authenticate} challenge names a realm and service,
 * the client asks the realm for a token for its scopes, with Basic credentials or an OAuth2 refresh token).
 *
 * <p>Thread-safe: tokens are cached in a concurrent map, and fetched once per scope even when several threads are
 * refused at once. Tokens are used until shortly before they expire, and replaced when the registry answers 401.
 */
final class RegistryAuthenticator {
    /** Tokens are refreshed this long before they expire, so a request never leaves with a dying token. */
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
    /** distribution's token handler assumes 60 s when the token server gives no expiry (minimumTokenLifetime). */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    /** The most of a token server's answer read: tokens are a few kilobytes; more is not a token answer. */
    private static final int MAX_TOKEN_ANSWER = 1024 * 1024;

    private final HttpTransport http;
    private final CredentialProvider credentials;
    private final PlainHttpPolicy plainHttp;
    private final Clock clock;
    private final String userAgent;
    private final Map<String, CachedAuth> cache = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    RegistryAuthenticator(HttpTransport http, CredentialProvider credentials, PlainHttpPolicy plainHttp,
            Clock clock, String userAgent) {
        this.http = http;
        this.credentials = credentials;
        this.plainHttp = plainHttp;
        this.clock = clock;
        this.userAgent = userAgent;
    }

    private record CachedAuth(String header, Instant expiresAt) {
        boolean fresh(Instant now) {
            return expiresAt == null || now.isBefore(expiresAt);
        }
    }

    /** Returns the Authorization header to send for a call with these scopes, if one is known. */
    Optional<String> authorization(String registry, List<String> scopes) {
        Instant now = clock.instant();
        CachedAuth basic = cache.get(basicKey(registry));
        if (basic != null) {
            return Optional.of(basic.header());
        }
        CachedAuth token = cache.get(tokenKey(registry, scopes));
        return token != null && token.fresh(now) ? Optional.of(token.header()) : Optional.empty();
    }

    /**
     * Handles a 401: obtains new authorization for the scopes from the challenge, replacing what was cached.
     *
     * @throws RegistryException if the challenge cannot be answered (no credentials for Basic, token server
     *     refuses)
     */
    void challenged(String registry, List<String> scopes, List<AuthChallenge> challenges, Optional<String> sent,
            String what) throws RegistryException {
        Optional<AuthChallenge> bearer = challenges.stream().filter(c -> c.scheme().equals("bearer")).findFirst();
        if (bearer.isPresent()) {
            String key = tokenKey(registry, scopes);
            // One fetch per scope at a time: parallel transfers that were all refused wait for the first one's
            // token instead of each asking the token server.
            synchronized (locks.computeIfAbsent(key, k -> new Object())) {
                CachedAuth current = cache.get(key);
                if (current != null && current.fresh(clock.instant())
                        && !sent.map(current.header()::equals).orElse(false)) {
                    return;
                }
                cache.put(key, fetchToken(registry, scopes, bearer.get(), what));
            }
            return;
        }
        if (challenges.stream().anyMatch(c -> c.scheme().equals("basic"))) {
            Credential credential = credentials.credentialFor(registry).orElseThrow(() -> new RegistryException(
                    what + ": registry " + registry + " requires a user name and password; log in with "
                            + "docker login " + registry + " or pass credentials", 401, null));
            if (credential.identityToken()) {
                throw new RegistryException(what + ": registry " + registry + " asks for Basic auth, but the stored "
                        + "credential is an identity token; log in again with a password", 401, null);
            }
            cache.put(basicKey(registry), new CachedAuth(basicHeader(credential), null));
            return;
        }
        throw new RegistryException(what + ": registry " + registry + " answered 401 without a Basic or Bearer "
                + "challenge (WWW-Authenticate: " + challenges + "); wharf cannot authenticate there", 401, null);
    }

    /** How containerd's authorizer wraps a failed anonymous token request, under BuildKit's resolver. */
    private static final String ANONYMOUS_TOKEN_FAILED = "failed to authorize: failed to fetch anonymous token: ";

    /**
     * The token URL as containerd's FetchToken sends it: the realm's own query with {@code service} and the sorted,
     * distinct scopes added, encoded as Go's url.Values (keys sorted, QueryEscape).
     */
    static URI goTokenUri(String realm, Optional<String> service, List<String> scopes) {
        java.util.TreeMap<String, List<String>> params = new java.util.TreeMap<>();
        int question = realm.indexOf('?');
        String base = question < 0 ? realm : realm.substring(0, question);
        if (question >= 0) {
            for (String pair : realm.substring(question + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq),
                            java.nio.charset.StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
                            java.nio.charset.StandardCharsets.UTF_8);
                    params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                }
            }
        }
        service.ifPresent(s -> params.computeIfAbsent("service", k -> new ArrayList<>()).add(s));
        for (String scope : new java.util.TreeSet<>(scopes)) {
            params.computeIfAbsent("scope", k -> new ArrayList<>()).add(scope);
        }
        StringBuilder query = new StringBuilder();
        for (java.util.Map.Entry<String, List<String>> param : params.entrySet()) {
            for (String value : param.getValue()) {
                query.append(query.length() == 0 ? "" : "&").append(goQueryEscape(param.getKey())).append('=')
                        .append(goQueryEscape(value));
            }
        }
        return URI.create(base + (query.length() == 0 ? "" : "?" + query));
    }

    /** Go's url.QueryEscape: only letters, digits and {@code -_.~} stay; a space is {@code +}. */
    private static String goQueryEscape(String text) {
        return encode(text).replace("*", "%2A").replace("%7E", "~");
    }

    /** Forgets what was cached for a registry, e.g. after credentials were rejected. */
    void forget(String registry, List<String> scopes) {
        cache.remove(basicKey(registry));
        cache.remove(tokenKey(registry, scopes));
    }

    private CachedAuth fetchToken(String registry, List<String> scopes, AuthChallenge challenge, String what)
            throws RegistryException {
        String realm = challenge.parameter("realm").orElseThrow(() -> new RegistryException(what + ": registry "
                + registry + " sent a Bearer challenge without a realm; it is misconfigured", 401, null));
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(what + ": registry " + registry + " names an invalid token realm " + realm, e);
        }
        if (!"https".equals(realmUri.getScheme())
                && !("http".equals(realmUri.getScheme()) && plainHttp.allows(realmUri.getRawAuthority()))) {
            throw new RegistryException(what + ": registry " + registry + " sends clients to token realm " + realm
                    + " without TLS; wharf sends credentials over plain HTTP only to loopback or insecure registries");
        }
        List<String> allScopes = new ArrayList<>(scopes);
        challenge.parameter("scope").ifPresent(s -> {
            for (String part : s.split(" ")) {
                if (!part.isEmpty() && !allScopes.contains(part)) {
                    allScopes.add(part);
                }
            }
        });
        Optional<String> service = challenge.parameter("service");
        Optional<Credential> credential = credentials.credentialFor(registry);
        HttpRequest request;
        if (credential.isPresent() && credential.get().identityToken()) {
            // OAuth2 refresh-token grant, as distribution's token handler does for identity tokens.
            StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=wharf&refresh_token=")
                    .append(encode(credential.get().secret()));
            service.ifPresent(s -> form.append("&service=").append(encode(s)));
            form.append("&scope=").append(encode(String.join(" ", allScopes)));
            request = HttpRequest.newBuilder(realmUri).header("User-Agent", userAgent)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
        } else {
            StringBuilder query = new StringBuilder();
            service.ifPresent(s -> query.append("service=").append(encode(s)));
            for (String scope : allScopes) {
                query.append(query.length() == 0 ? "" : "&").append("scope=").append(encode(scope));
            }
            String separator = realm.contains("?") ? "&" : "?";
            URI uri = URI.create(realm + (query.length() == 0 ? "" : separator + query));
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).header("User-Agent", userAgent).GET();
            credential.ifPresent(c -> builder.header("Authorization", basicHeader(c)));
            request = builder.build();
        }
        // containerd's anonymous token request, for BuildKit's words when it fails (with credentials containerd
        // POSTs an OAuth form first: its errors are not worded here).
        URI anonymous = credential.isPresent() ? null : goTokenUri(realm, service, allScopes);
        int status;
        byte[] answer;
        try (TransportResponse response = http.send(request)) {
            status = response.statusCode();
            answer = response.body().readNBytes(MAX_TOKEN_ANSWER);
        } catch (IOException e) {
            throw new RegistryException(what + ": cannot reach token server " + realm + " of registry " + registry
                    + ": " + e.getMessage(), anonymous == null ? null : ANONYMOUS_TOKEN_FAILED
                    + dev.wharf.layers.GoRequestError.of("GET", anonymous, e), -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(what + ": interrupted while fetching a token from " + realm, e);
        }
        if (anonymous != null && (status < 200 || status >= 400)) {
            String goReason = ANONYMOUS_TOKEN_FAILED
                    + dev.wharf.layers.GoRequestError.unexpectedStatus("GET", anonymous, status);
            String message = status == 401 || status == 403
                    ? what + ": token server " + realm + " rejected anonymous access to " + registry + " (HTTP "
                            + status + "); check docker login " + registry
                    : what + ": token server " + realm + " answered HTTP " + status + ": "
                            + RegistryCaller.snippet(answer);
            throw new RegistryException(message, goReason, status, null);
        }
        if (status == 401 || status == 403) {
            throw new RegistryException(what + ": token server " + realm + " rejected "
                    + (credential.isPresent() ? "the credentials for " : "anonymous access to ") + registry
                    + " (HTTP " + status + "); check docker login " + registry, status,
                    null);
        }
        if (status != 200) {
            throw new RegistryException(what + ": token server " + realm + " answered HTTP " + status
                    + ": " + RegistryCaller.snippet(answer), status, null);
        }
        try {
            JsonNode body = JsonTrees.parse(answer);
            String token = body.path("token").asText("");
            if (token.isEmpty()) {
                token = body.path("access_token").asText("");
            }
            if (token.isEmpty()) {
                throw new RegistryException(what + ": token server " + realm + " answered without a token");
            }
            long expiresIn = body.path("expires_in").asLong(0);
            Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : DEFAULT_LIFETIME;
            Instant expires = clock.instant().plus(lifetime).minus(EXPIRY_MARGIN);
            return new CachedAuth("Bearer " + token, expires);
        } catch (IOException e) {
            throw new RegistryException(what + ": token server " + realm + " answered with invalid JSON: "
                    + e.getMessage(), e);
        }
    }

    private static String basicHeader(Credential credential) {
        String pair = credential.username() + ":" + credential.secret();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String basicKey(String registry) {
        return registry + "\u0000basic";
    }

    private static String tokenKey(String registry, List<String> scopes) {
        return registry + "\u0000" + String.join(" ", scopes);
    }
}
