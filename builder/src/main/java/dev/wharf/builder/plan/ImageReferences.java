package dev.wharf.builder.plan;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks image references against the grammar of {@code github.com/distribution/reference} as BuildKit's
 * {@code resolveBaseImage} does with {@code ParseNormalizedNamed} before it looks an image up:
 * {@code [domain[:port]/]path[:tag][@digest]}, lower-case paths.
 *
 * <p>Stateless and thread-safe.
 */
final class ImageReferences {

    private static final String ALPHANUMERIC = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*"
            + "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE = Pattern.compile("(?:" + DOMAIN + "/)?" + PATH_COMPONENT
            + "(?:/" + PATH_COMPONENT + ")*(?::" + TAG + ")?(?:@" + DIGEST + ")?");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");
    private static final int MAX_NAME_LENGTH = 255;

    private ImageReferences() {
    }

    /** Why {@code reference} is not a valid image reference, or empty when it is. */
    static Optional<String> problem(String reference) {
        if (IDENTIFIER.matcher(reference).matches()) {
            return Optional.of("invalid repository name (" + reference
                    + "), cannot specify 64-byte hexadecimal strings");
        }
        String remainder = remainder(reference);
        if (!remainder.toLowerCase(Locale.ROOT).equals(remainder)) {
            String name = remainder.split("[:@]", 2)[0];
            return Optional.of("invalid reference format: repository name (" + name + ") must be lowercase");
        }
        int at = reference.indexOf('@');
        String name = reference.substring(0, at < 0 ? reference.length() : at);
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            name = name.substring(0, colon);
        }
        if (!REFERENCE.matcher(reference).matches() || name.length() > MAX_NAME_LENGTH) {
            return Optional.of("invalid reference format");
        }
        return Optional.empty();
    }

    /** The part after the registry host (distribution's splitDockerDomain): what must be lower case. */
    private static String remainder(String reference) {
        int slash = reference.indexOf('/');
        if (slash < 0) {
            return reference;
        }
        String first = reference.substring(0, slash);
        boolean domain = first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.toLowerCase(Locale.ROOT).equals(first);
        return domain ? reference.substring(slash + 1) : reference;
    }
}
