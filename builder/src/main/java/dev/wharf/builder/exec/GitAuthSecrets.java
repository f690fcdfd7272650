package dev.wharf.builder.exec;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code Authorization} header a git fetch sends, from the build secrets BuildKit's git source reads
 * (source/git/source.go {@code authSecretNames}, with the names {@code llb.Git} sets by default): the first given of
 * {@code GIT_AUTH_HEADER.<host>}, {@code GIT_AUTH_TOKEN.<host>}, {@code GIT_AUTH_HEADER}, {@code GIT_AUTH_TOKEN},
 * where host is the remote URL's host with its port. A header secret is the value as it is; a token becomes
 * {@code basic base64("x-access-token:" + token)}, as for GitHub. An address that is not a URL (scp-like ssh)
 * gets none, as BuildKit's {@code url.Parse} gives it no host.
 *
 * <p>Stateless and thread-safe.
 */
final class GitAuthSecrets {

    static final String HEADER = "GIT_AUTH_HEADER";
    static final String TOKEN = "GIT_AUTH_TOKEN";

    private GitAuthSecrets() {
    }

    static Optional<String> authorization(String remote, Map<String, Path> secrets) {
        if (secrets.isEmpty()) {
            return Optional.empty();
        }
        String host;
        try {
            host = Optional.ofNullable(new URI(remote).getRawAuthority()).map(GitAuthSecrets::withoutUserInfo)
                    .orElse("");
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        record Name(String id, boolean token) {
        }
        for (Name name : List.of(new Name(HEADER + "." + host, false), new Name(TOKEN + "." + host, true),
                new Name(HEADER, false), new Name(TOKEN, true))) {
            Path file = secrets.get(name.id());
            if (file == null) {
                continue;
            }
            String value;
            try {
                value = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                continue;
            }
            return Optional.of(name.token() ? "basic " + Base64.getEncoder().encodeToString(
                    ("x-access-token:" + value).getBytes(StandardCharsets.UTF_8)) : value);
        }
        return Optional.empty();
    }

    /** Go's {@code url.URL.Host}: the authority without {@code user:password@}. */
    private static String withoutUserInfo(String authority) {
        int at = authority.lastIndexOf('@');
        return at < 0 ? authority : authority.substring(at + 1);
    }
}
