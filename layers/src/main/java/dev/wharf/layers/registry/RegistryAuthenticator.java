package dev.wharf.layers.registry;

import java.net.URI;
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
 * the client asks the realm for a token for its scopes, as {@link TokenFetcher} does it).
 *
 * <p>Thread-safe: tokens are cached in a concurrent map, and fetched once per scope even when several threads are
 * refused at once. Tokens are used until shortly before they expire, and replaced when the registry answers 401.
 */
final class RegistryAuthenticator {
    /** Tokens are refreshed this long before they expire, so a request never leaves with a dying token. */
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);

    private final CredentialProvider credentials;
    private final PlainHttpPolicy plainHttp;
    private final Clock clock;
    private final TokenFetcher tokens;
    private final Map<String, CachedAuth> cache = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    RegistryAuthenticator(HttpTransport http, CredentialProvider credentials, PlainHttpPolicy plainHttp,
            Clock clock, String userAgent) {
        this.credentials = credentials;
        this.plainHttp = plainHttp;
        this.clock = clock;
        this.tokens = new TokenFetcher(http, userAgent);
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
        TokenFetcher.Token token = tokens.fetch(new TokenFetcher.TokenTarget(realm, challenge.parameter("service"),
                allScopes), credentials.credentialFor(registry), registry, what);
        return new CachedAuth("Bearer " + token.value(), clock.instant().plus(token.lifetime()).minus(EXPIRY_MARGIN));
    }

    private static String basicHeader(Credential credential) {
        String pair = credential.username() + ":" + credential.secret();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String basicKey(String registry) {
        return registry + "\u0000basic";
    }

    private static String tokenKey(String registry, List<String> scopes) {
        return registry + "\u0000" + String.join(" ", scopes);
    }
}
