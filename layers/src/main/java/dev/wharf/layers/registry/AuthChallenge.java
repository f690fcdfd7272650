package dev.wharf.layers.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header, e.g.
 * {@code Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull"}.
 *
 * <p>An immutable record, thread-safe. The scheme is lower-cased; parameter names are lower-cased, values
 * unquoted (with backslash escapes resolved), as distribution's {@code registry/client/auth/challenge} parses them.
 *
 * @param scheme the auth scheme in lower case, e.g. {@code bearer} or {@code basic}
 * @param parameters the parameters by lower-case name, in header order
 */
public record AuthChallenge(String scheme, Map<String, String> parameters) {
    /** Copies. */
    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** Returns a parameter, e.g. {@code realm}. */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    /**
     * Parses every challenge of the given header values. Malformed parts are skipped rather than failing, since a
     * challenge only tells the client how to authenticate; a useless one leads to a clear 401 error later.
     */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> challenges = new ArrayList<>();
        for (String header : headerValues) {
            parseHeader(header, challenges);
        }
        return List.copyOf(challenges);
    }

    private static void parseHeader(String header, List<AuthChallenge> out) {
        int i = 0;
        int n = header.length();
        while (i < n) {
            i = skipSpacesAndCommas(header, i);
            int start = i;
            while (i < n && isTokenChar(header.charAt(i))) {
                i++;
            }
            if (i == start) {
                return;
            }
            String scheme = header.substring(start, i);
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                int save = i;
                i = skipSpacesAndCommas(header, i);
                int nameStart = i;
                while (i < n && isTokenChar(header.charAt(i))) {
                    i++;
                }
                String name = header.substring(nameStart, i);
                int j = skipSpaces(header, i);
                if (name.isEmpty() || j >= n || header.charAt(j) != '=') {
                    // Not a parameter: the start of the next challenge (or the end).
                    i = save;
                    break;
                }
                i = skipSpaces(header, j + 1);
                StringBuilder value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        char c = header.charAt(i);
                        if (c == '\\' && i + 1 < n) {
                            i++;
                            c = header.charAt(i);
                        }
                        value.append(c);
                        i++;
                    }
                    i = Math.min(i + 1, n);
                } else {
                    // Laxer than RFC 7235's token: unquoted realm URLs (with ':' and '/') occur in the wild.
                    while (i < n && header.charAt(i) != ',' && header.charAt(i) != ' ' && header.charAt(i) != '\t') {
                        value.append(header.charAt(i));
                        i++;
                    }
                }
                params.put(name.toLowerCase(Locale.ROOT), value.toString());
            }
            out.add(new AuthChallenge(scheme, params));
        }
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int skipSpacesAndCommas(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
            i++;
        }
        return i;
    }

    private static boolean isTokenChar(char c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
    }
}
