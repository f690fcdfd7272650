package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.layers.GoRequestError;
import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Downloads one http(s) URL into a file, as BuildKit's HTTP source does (source/http/source.go {@code save}): a GET
 * that follows redirects (Go's client follows up to ten, https to http included), proxies from the environment
 * ({@link EnvProxySelector}), a status outside 200-399 is an error, the content is hashed with SHA-256 while it is
 * written, the file gets mode 0600, and the {@code Last-Modified} and {@code ETag} headers are reported.
 *
 * <p>Thread-safe; the JDK client is made on first use and shared by every download of one instance.
 */
public final class HttpDownloader {

    /** What a download wrote. */
    public record Download(Path file, Digest digest, long size, Optional<Instant> lastModified,
                           Optional<String> etag) {
    }

    /**
     * Go's http.ParseTime accepts these three layouts (RFC 1123, RFC 850, ANSI C asctime).
     * RFC 850's two-digit year is read in Go's window (69-99 are 1900s, 00-68 2000s); asctime pads the day.
     * In a holder class, made on the first response with a date: building them initialises java.time's formatter
     * machinery (DateTimeFormatter's static formatters, pattern parsing, about 40 classes), which every build paid
     * for when it made its downloader, though most builds download nothing.
     */
    private static final class HttpTimes {
        static final List<DateTimeFormatter> LAYOUTS = List.of(
                DateTimeFormatter.RFC_1123_DATE_TIME,
                new java.time.format.DateTimeFormatterBuilder().appendPattern("EEEE, dd-MMM-")
                        .appendValueReduced(java.time.temporal.ChronoField.YEAR, 2, 2, 1969)
                        .appendPattern(" HH:mm:ss zzz").toFormatter(Locale.US),
                DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
                        .withZone(java.time.ZoneOffset.UTC));

        private HttpTimes() {
        }
    }

    private final Map<String, String> env;
    private volatile HttpClient client;
    private volatile HttpClient noRedirectClient;

    private HttpDownloader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * A downloader with proxies from {@code env} ({@code System.getenv()} normally). The JDK client (a selector
     * thread and some sixty classes) is made on the first download, not here: most builds download nothing.
     */
    public static HttpDownloader fromEnvironment(Map<String, String> env) {
        return new HttpDownloader(env);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = newClient(HttpClient.Redirect.ALWAYS);
                    client = c;
                }
            }
        }
        return c;
    }

    /** Made on first use: a client costs its selector thread, which a build without a URL source never needs. */
    private HttpClient newClient(HttpClient.Redirect redirects) {
        return HttpClient.newBuilder()
                .followRedirects(redirects)
                .proxy(EnvProxySelector.of(env))
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /**
     * The file name BuildKit's Dockerfile frontend gives a download (dockerfile2llb/convert_copy.go): the last
     * element of the URL's path, or {@code __unnamed__} when the path has none or the URL does not parse.
     */
    public static String fileName(String url) {
        try {
            String path = new URI(url).getPath();
            String base = goBase(path == null ? "" : path);
            // ".." would leave the download directory; BuildKit's os.Root refuses it, wharf names it like no name.
            return base.equals(".") || base.equals("/") || base.equals("..") ? "__unnamed__" : base;
        } catch (URISyntaxException e) {
            return "__unnamed__";
        }
    }

    /** Go's path.Base. */
    private static String goBase(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals("/")) {
            return "/";
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /**
     * Downloads {@code url} into {@code target} (created, mode 0600).
     *
     * @throws ContextException naming the URL when it is malformed, the host cannot be reached, the status is not
     *                          a success, or the body cannot be read or written
     */
    public Download download(String url, Path target) throws ContextException, InterruptedException {
        return download(url, target, Optional.empty());
    }

    /** Like {@link #download(String, Path)}, sending {@code authorization} as the {@code Authorization} header. */
    public Download download(String url, Path target, Optional<String> authorization)
            throws ContextException, InterruptedException {
        return downloadIfNoneMatch(url, target, Optional.empty(), authorization).orElseThrow(() -> new ContextException(
                "cannot download " + url + ": the server answered 304 Not Modified to an unconditional request"));
    }

    /**
     * Like {@link #download}, but with {@code If-None-Match: etag} when an ETag is given, as BuildKit revalidates
     * a URL it downloaded before; empty when the server answers 304 Not Modified (nothing is written).
     *
     * @throws ContextException as {@link #download} does
     */
    public Optional<Download> downloadIfNoneMatch(String url, Path target, Optional<String> etag)
            throws ContextException, InterruptedException {
        return downloadIfNoneMatch(url, target, etag, Optional.empty());
    }

    /**
     * Like {@link #downloadIfNoneMatch(String, Path, Optional)}, with an {@code Authorization} header when one is
     * given (BuildKit's HTTP source sends the value of an {@code HTTP_AUTH_HEADER_<host>} or
     * {@code HTTP_AUTH_TOKEN_<host>} build secret).
     *
     * @throws ContextException as {@link #download} does
     */
    public Optional<Download> downloadIfNoneMatch(String url, Path target, Optional<String> etag,
                                                  Optional<String> authorization)
            throws ContextException, InterruptedException {
        URI uri;
        try {
            uri = new URI(url);
            if (uri.getHost() == null) {
                throw new URISyntaxException(url, "no host");
            }
        } catch (URISyntaxException e) {
            throw new ContextException("invalid URL " + url + ": " + e.getMessage(), e);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).GET().header("User-Agent", "wharf");
        etag.ifPresent(t -> builder.header("If-None-Match", t));
        if (authorization.isPresent()) {
            try {
                builder.header("Authorization", authorization.get());
            } catch (IllegalArgumentException e) {
                // A secret file ending in a newline, say: Go's transport refuses the request in these words.
                throw new ContextException("Get \"" + url + "\": net/http: invalid header field value for"
                        + " \"Authorization\"", e);
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = authorization.isEmpty()
                    ? client().send(builder.build(), HttpResponse.BodyHandlers.ofInputStream())
                    : sendWithAuthorization(builder, url);
        } catch (HttpConnectTimeoutException e) {
            throw new Failure("cannot download " + url + ": connection timed out",
                    GoRequestError.of("GET", uri, e), e);
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String go = GoRequestError.of("GET", uri, e);
            // The JDK's client reports a name that does not resolve as a ConnectException caused by an
            // UnresolvedAddressException; it is no refused connection. BuildKit (Go's net/http) says
            // `dial tcp: lookup HOST ...: no such host`.
            if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
                throw new Failure("cannot download " + url + ": dial tcp: lookup " + uri.getHost()
                        + ": no such host", go, e);
            }
            if (e instanceof ConnectException) {
                // Every failed connect is a ConnectException; the socket's error says whether it was refused.
                String why = root instanceof java.net.SocketException && root.getMessage() != null
                        ? root.getMessage().toLowerCase(Locale.ROOT) : "connection refused";
                throw new Failure("cannot download " + url + ": " + why
                        + " (is the host reachable, or a proxy needed in HTTPS_PROXY/HTTP_PROXY?)", go, e);
            }
            throw new Failure("cannot download " + url + ": "
                    + (root.getMessage() == null ? root : root.getMessage()), go, e);
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 304 && etag.isPresent()) {
                return Optional.empty();
            }
            if (status < 200 || status >= 400) {
                // source/http/source.go: "invalid response status %d".
                throw new Failure("cannot download " + url + ": invalid response status " + status,
                        "invalid response status " + status, null);
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long size = 0;
            Files.deleteIfExists(target);
            Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = body.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    sha.update(buffer, 0, n);
                    size += n;
                }
            }
            Digest digest = Digest.fromHash(DigestAlgorithm.SHA256, sha.digest());
            Optional<String> tag = response.headers().firstValue("ETag").map(HttpDownloader::etagValue);
            return Optional.of(new Download(target, digest, size,
                    response.headers().firstValue("Last-Modified").flatMap(HttpDownloader::parseTime), tag));
        } catch (IOException e) {
            throw new ContextException("cannot download " + url + " into " + target + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Sends a request that carries an {@code Authorization} header, following redirects itself as Go's client
     * does: the header goes on only to the same host or a subdomain of it (the JDK's client would hand it to any
     * host a redirect names), and a chain longer than ten fails as Go's does.
     */
    private HttpResponse<InputStream> sendWithAuthorization(HttpRequest.Builder first, String url)
            throws IOException, InterruptedException, ContextException {
        HttpRequest request = first.build();
        String originalHost = request.uri().getHost();
        for (int redirects = 0; ; redirects++) {
            HttpResponse<InputStream> response = noRedirectClient().send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (!REDIRECTS.contains(status) || location.isEmpty()) {
                return response;
            }
            response.body().close();
            if (redirects == 10) {
                throw new ContextException("cannot download " + url + ": Get \"" + location.get()
                        + "\": stopped after 10 redirects");
            }
            URI next;
            try {
                next = request.uri().resolve(location.get());
            } catch (IllegalArgumentException e) {
                throw new ContextException("cannot download " + url + ": failed to parse Location header "
                        + "\"" + location.get() + "\"", e);
            }
            HttpRequest.Builder again = HttpRequest.newBuilder(next).GET();
            request.headers().map().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Authorization") || isDomainOrSubdomain(next.getHost(), originalHost)) {
                    values.forEach(v -> again.header(name, v));
                }
            });
            request = again.build();
        }
    }

    private static final java.util.Set<Integer> REDIRECTS = java.util.Set.of(301, 302, 303, 307, 308);

    /** Go's {@code isDomainOrSubdomain}: {@code sub} is {@code parent} or ends with {@code "." + parent}. */
    static boolean isDomainOrSubdomain(String sub, String parent) {
        if (sub == null || parent == null) {
            return false;
        }
        String s = sub.toLowerCase(Locale.ROOT);
        String p = parent.toLowerCase(Locale.ROOT);
        return s.equals(p) || (s.endsWith("." + p) && !p.contains(":"));
    }

    private HttpClient noRedirectClient() {
        HttpClient c = noRedirectClient;
        if (c == null) {
            synchronized (this) {
                c = noRedirectClient;
                if (c == null) {
                    c = newClient(HttpClient.Redirect.NEVER);
                    noRedirectClient = c;
                }
            }
        }
        return c;
    }

    /** Go's http.ParseTime; empty when no layout matches (BuildKit then ignores the header). */
    static Optional<Instant> parseTime(String value) {
        for (DateTimeFormatter f : HttpTimes.LAYOUTS) {
            try {
                return Optional.of(ZonedDateTime.parse(value.strip(), f).toInstant());
            } catch (DateTimeParseException e) {
                // Try the next layout.
            }
        }
        return Optional.empty();
    }

    /** The value of an ETag header without the weak prefix, compared and sent back as such (source/http). */
    private static String etagValue(String v) {
        return v.startsWith("W/") ? v.substring(2) : v;
    }

    /**
     * A download that failed before any content arrived: the request, or the server's status. {@link #goReason()}
     * is the same failure in the words of BuildKit's HTTP source (Go's {@code net/http} error, or {@code invalid
     * response status 404}), which does not repeat the URL when it is the status that failed.
     */
    public static final class Failure extends ContextException {
        private static final long serialVersionUID = 1L;
        private final String goReason;

        Failure(String message, String goReason, Throwable cause) {
            super(message, cause);
            this.goReason = goReason;
        }

        public String goReason() {
            return goReason;
        }
    }
}
