package dev.wharf.layers.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.json.JsonTrees;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Does the HTTP work of every {@link RegistryEndpoint} (jib's {@code RegistryEndpointCaller}): picks HTTPS or, for
 * loopback and insecure registries only, plain HTTP; adds the Authorization header and answers 401 challenges;
 * follows redirects of GET and HEAD (blob downloads from storage URLs) without sending credentials off the registry;
 * retries dropped connections, timeouts and 408/429/5xx answers with backoff, but not a connection the host refused
 * (as BuildKit's retry handler, which retries only resets, EOF, timeouts and 5xx); turns other answers into
 * {@link RegistryException}s that quote the registry's error codes.
 *
 * <p>Immutable and thread-safe (the authenticator it shares is thread-safe).
 */
final class RegistryCaller {
    private static final int MAX_ERROR_BODY = 8 * 1024;
    private static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final HttpTransport http;
    private final RegistryAuthenticator authenticator;
    private final RetryPolicy retry;
    private final PlainHttpPolicy plainHttp;
    private final String userAgent;

    RegistryCaller(HttpTransport http, RegistryAuthenticator authenticator, RetryPolicy retry,
            PlainHttpPolicy plainHttp, String userAgent) {
        this.http = http;
        this.authenticator = authenticator;
        this.retry = retry;
        this.plainHttp = plainHttp;
        this.userAgent = userAgent;
    }

    /** Returns the retry policy, for owners of multi-request operations that retry them whole. */
    RetryPolicy retry() {
        return retry;
    }

    /** Returns the API base {@code scheme://host/v2/} of the registry holding a repository. */
    URI apiBase(ImageReference repository) {
        String host = repository.registryHost();
        String scheme = plainHttp.allows(host) ? "http" : "https";
        return URI.create(scheme + "://" + host + "/v2/");
    }

    /** Returns the bearer-token scope for pulling from, or pulling from and pushing to, a repository. */
    static String scope(ImageReference repository, boolean push) {
        return "repository:" + repository.path() + (push ? ":pull,push" : ":pull");
    }

    /**
     * Makes the call, authenticating and retrying as needed.
     *
     * @param repository the repository the call is about (its registry is called)
     * @param scopes the token scopes the call needs
     * @throws RegistryException if the registry refuses or keeps failing
     * @throws IOException if the endpoint's response handling fails while reading the body (e.g. the connection
     *     drops mid-blob; callers that can resume catch this)
     */
    <T> T call(ImageReference repository, List<String> scopes, RegistryEndpoint<T> endpoint) throws IOException {
        String registry = repository.domain();
        URI uri = endpoint.uri(apiBase(repository));
        String registryAuthority = uri.getRawAuthority();
        int attempt = 0;
        int authRounds = 0;
        int redirects = 0;
        while (true) {
            attempt++;
            // Credentials go to the registry only, never to where it redirects (e.g. a CDN or signed storage URL).
            boolean atRegistry = registryAuthority.equals(uri.getRawAuthority());
            HttpRequest request = request(uri, endpoint,
                    atRegistry ? authenticator.authorization(registry, scopes) : Optional.empty());
            TransportResponse response;
            try {
                response = http.send(request);
            } catch (IOException e) {
                if (isUnresolvedHost(e)) {
                    // A name that does not resolve will not resolve in ten seconds either: fail at once, as
                    // BuildKit's resolver does ("dial tcp: lookup HOST: no such host").
                    throw new RegistryException(endpoint.describe() + ": cannot resolve the registry host "
                            + uri.getHost() + "; check the name and the network (DNS)", goReason(endpoint, uri, e),
                            -1, e);
                }
                if (endpoint.retryable() && attempt < retry.maxAttempts() && !isRefusedConnect(e)) {
                    sleep(retry.backoff(attempt), endpoint);
                    continue;
                }
                throw new RegistryException(endpoint.describe() + ": cannot reach " + uri.getAuthority() + " ("
                        + describe(e) + ") after " + attempt + " attempt" + (attempt == 1 ? "" : "s")
                        + "; check that the registry is up and reachable", goReason(endpoint, uri, e), -1, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(endpoint.describe() + ": interrupted", e);
            }
            try (response) {
                InputStream body = response.body();
                int status = response.statusCode();
                if (REDIRECTS.contains(status) && (endpoint.method().equals("GET") || endpoint.method().equals("HEAD"))
                        && !endpoint.acceptedStatuses().contains(status)) {
                    if (++redirects > MAX_REDIRECTS) {
                        throw new RegistryException(endpoint.describe() + ": more than " + MAX_REDIRECTS
                                + " redirects; the registry is misconfigured", status, null);
                    }
                    URI next = location(response, endpoint.describe());
                    if (!"https".equals(next.getScheme())
                            && !("http".equals(next.getScheme()) && plainHttp.allows(next.getRawAuthority()))) {
                        throw new RegistryException(endpoint.describe() + ": the registry redirects to " + next
                                + ", which is not HTTPS; wharf follows plain-HTTP redirects only to loopback or "
                                + "insecure registries", status, null);
                    }
                    uri = next;
                    attempt--;
                    continue;
                }
                if (status == 401 && atRegistry && authRounds < 2) {
                    authRounds++;
                    attempt--;
                    List<AuthChallenge> challenges =
                            AuthChallenge.parse(response.headers().allValues("WWW-Authenticate"));
                    if (authRounds == 2 || request.headers().firstValue("Authorization").isPresent()
                            && challenges.stream().anyMatch(c -> c.scheme().equals("basic"))) {
                        // Fresh authorization was already refused: the credentials are wrong.
                        authenticator.forget(registry, scopes);
                        throw error(endpoint, status, readSnippet(body), "the registry refused access to "
                                + repository.path() + " with the credentials for " + registry
                                + " (or anonymously, if there are none); check them (docker login " + registry
                                + ") and the repository name");
                    }
                    authenticator.challenged(registry, scopes, challenges,
                            request.headers().firstValue("Authorization"), endpoint.describe());
                    continue;
                }
                if (endpoint.acceptedStatuses().contains(status)) {
                    return endpoint.handle(response);
                }
                if (RetryPolicy.isRetryableStatus(status) && endpoint.retryable() && attempt < retry.maxAttempts()) {
                    sleep(retryAfter(response).orElse(retry.backoff(attempt)), endpoint);
                    continue;
                }
                RegistryException refused = error(endpoint, status, readSnippet(body), hint(status, registry));
                if (endpoint instanceof ManifestPuller && endpoint.goMethod().equals("HEAD") && status != 404) {
                    // containerd's resolver refuses its HEAD of the reference with the status (a 404 is BuildKit's
                    // "not found", which the caller words).
                    throw new RegistryException(refused.getMessage(), dev.wharf.layers.GoRequestError
                            .unexpectedStatus("HEAD", uri, status), status, null);
                }
                throw refused;
            }
        }
    }

    private HttpRequest request(URI uri, RegistryEndpoint<?> endpoint, Optional<String> authorization) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .method(endpoint.method(), endpoint.body())
                .header("User-Agent", userAgent);
        if (!endpoint.accept().isEmpty()) {
            builder.header("Accept", String.join(", ", endpoint.accept()));
        }
        for (Map.Entry<String, String> header : endpoint.headers().entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        authorization.ifPresent(a -> builder.header("Authorization", a));
        return builder.build();
    }

    private Optional<Duration> retryAfter(TransportResponse response) {
        Optional<String> value = response.headers().firstValue("Retry-After");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            Duration wait = Duration.ofSeconds(Long.parseLong(value.get().trim()));
            return Optional.of(wait.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : wait);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void sleep(Duration wait, RegistryEndpoint<?> endpoint) throws RegistryException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(endpoint.describe() + ": interrupted while waiting to retry", e);
        }
    }

    private RegistryException error(RegistryEndpoint<?> endpoint, int status, byte[] body, String hint) {
        return new RegistryException(endpoint.describe() + ": registry answered HTTP " + status
                + registryErrors(body).map(e -> " (" + e + ")").orElse("") + "; " + hint, status, null);
    }

    private static String hint(int status, String registry) {
        return switch (status) {
            case 401, 403 -> "access denied; check the credentials for " + registry + " and the repository name";
            case 404 -> "check the repository name and tag or digest";
            case 429 -> "the registry rate-limits this client; wait and try again";
            default -> status >= 500 ? "the registry failed; try again later" : "the request was refused";
        };
    }

    /** Extracts distribution's error list {@code {"errors":[{"code","message"}]}} from an error body. */
    Optional<String> registryErrors(byte[] body) {
        if (body.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode errors = JsonTrees.parse(body).path("errors");
            List<String> parts = new ArrayList<>();
            for (JsonNode error : errors) {
                parts.add(error.path("code").asText("") + ": " + error.path("message").asText(""));
            }
            if (!parts.isEmpty()) {
                return Optional.of(String.join("; ", parts));
            }
        } catch (IOException e) {
            // Not distribution's error JSON: quote the start of the text instead.
        }
        return Optional.of(snippet(body));
    }

    private static byte[] readSnippet(InputStream body) {
        try {
            return body.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Returns the start of a body as single-line text for messages. */
    static String snippet(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return text.replaceAll("\\s+", " ").trim();
    }

    /** True when the connection failed because the host name has no address (possibly wrapped). */
    static boolean isUnresolvedHost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the host answered the connect with a refusal (nothing listens on the port) or no route: BuildKit's
     * retry handler does not retry these (Go's dialer reports them as non-temporary), so neither does wharf; waiting
     * 7 s for a port nobody listens on only delays the error. A connect that timed out is retried, as Go counts
     * ETIMEDOUT temporary: the JDK reports it as a ConnectException too ("Connection timed out" from the kernel,
     * "HTTP connect timed out" under java.net.http's HttpConnectTimeoutException), so those are told apart by type
     * and message.
     */
    static boolean isRefusedConnect(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.net.http.HttpTimeoutException) {
                return false;
            }
            if (t instanceof java.net.NoRouteToHostException) {
                return true;
            }
            if (t instanceof java.net.ConnectException) {
                String message = t.getMessage();
                return message == null || !message.toLowerCase(java.util.Locale.ROOT).contains("timed out");
            }
        }
        return false;
    }

    /**
     * containerd's resolver wraps the transport's error as {@code failed to do request: }, naming the URL BuildKit
     * would have failed at: the https one at a loopback registry (see {@link PlainHttpPolicy#buildKitTriesTls}).
     */
    private String goReason(RegistryEndpoint<?> endpoint, URI uri, IOException e) {
        URI shown = "http".equals(uri.getScheme()) && plainHttp.buildKitTriesTls(uri.getRawAuthority())
                ? URI.create("https" + uri.toString().substring("http".length())) : uri;
        return "failed to do request: " + dev.wharf.layers.GoRequestError.of(endpoint.goMethod(), shown, e);
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Resolves a {@code Location} header against the request URL (registries may answer with relative paths). */
    static URI location(TransportResponse response, String what) throws RegistryException {
        String location = response.headers().firstValue("Location").orElseThrow(() -> new RegistryException(
                what + ": registry answered " + response.statusCode() + " without a Location header"));
        try {
            return response.uri().resolve(location);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(what + ": registry answered with an invalid Location " + location, e);
        }
    }

    /** Returns a media type without parameters, lower-cased. */
    static String bareMediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
