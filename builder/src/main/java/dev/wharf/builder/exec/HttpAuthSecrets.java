package dev.wharf.builder.exec;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code Authorization} header an {@code ADD https://...} download sends, from build secrets named after the
 * URL's host, as BuildKit's HTTP source reads them (source/http/source.go): {@code HTTP_AUTH_HEADER_<host>} is the
 * header's whole value, {@code HTTP_AUTH_TOKEN_<host>} a token sent as {@code Bearer <token>}. Both are looked up in
 * that order and the later one found wins; a secret not given (or unreadable) is skipped without a word, as
 * BuildKit skips one it cannot get when the source named no secret of its own.
 *
 * <p>Stateless and thread-safe.
 */
final class HttpAuthSecrets {

    static final String HEADER_PREFIX = "HTTP_AUTH_HEADER_";
    static final String TOKEN_PREFIX = "HTTP_AUTH_TOKEN_";

    private HttpAuthSecrets() {
    }

    /** The header value for a download of {@code url} with the build's {@code secrets} (id to file). */
    static Optional<String> authorization(String url, Map<String, Path> secrets) {
        Optional<String> host = hostname(url);
        if (host.isEmpty() || secrets.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> value = read(secrets.get(HEADER_PREFIX + host.get()));
        Optional<String> token = read(secrets.get(TOKEN_PREFIX + host.get()));
        return token.isPresent() ? token.map(t -> "Bearer " + t) : value;
    }

    /** Go's {@code url.URL.Hostname()}: the host without port or IPv6 brackets, its case as written. */
    static Optional<String> hostname(String url) {
        try {
            String host = new URI(url).getHost();
            if (host == null) {
                return Optional.empty();
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return Optional.of(host);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> read(Path file) {
        if (file == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
