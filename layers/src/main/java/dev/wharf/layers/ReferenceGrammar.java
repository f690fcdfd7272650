package dev.wharf.layers;

import java.util.regex.Pattern;

/**
 * The grammar of image names, tags and digests, assembled as {@code github.com/distribution/reference}'s
 * {@code regexp.go} assembles it: the one definition that both registry references
 * ({@code dev.wharf.layers.registry.ImageReference}) and local names ({@code dev.wharf.layers.store.ImageName})
 * match against, kept here so neither package depends on the other for it.
 *
 * <p>Constants only; thread-safe.
 */
public final class ReferenceGrammar {
    /** A lower-case alphanumeric run. */
    public static final String ALPHANUMERIC = "[a-z0-9]+";
    /** What may separate the alphanumeric runs of a path component. */
    public static final String SEPARATOR = "(?:[._]|__|[-]+)";
    /** One label of a domain name. */
    public static final String DOMAIN_NAME_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    /** An optional {@code :port}. */
    public static final String OPTIONAL_PORT = "(?::[0-9]+)?";
    /** A tag: up to 128 word characters, dots and dashes, not starting with a dot or dash. */
    public static final String TAG = "[\\w][\\w.-]{0,127}";
    /** A digest {@code algorithm:hex}. */
    public static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}";
    /** A bracketed IPv6 address. */
    public static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
    /** A domain name. */
    public static final String DOMAIN_NAME = DOMAIN_NAME_COMPONENT + "(?:\\." + DOMAIN_NAME_COMPONENT + ")*";
    /** A registry host: a domain name or IPv6 address, with an optional port. */
    public static final String DOMAIN_AND_PORT = "(?:" + DOMAIN_NAME + "|" + IPV6 + ")" + OPTIONAL_PORT;
    /** One component of a repository path. */
    public static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
    /** A repository path: components separated by {@code /}. */
    public static final String REMOTE_NAME = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    /** A repository name: an optional registry host, then a path. */
    public static final String NAME = "(?:" + DOMAIN_AND_PORT + "/)?" + REMOTE_NAME;

    /** {@link #NAME}, to match whole strings. */
    public static final Pattern NAME_PATTERN = Pattern.compile(NAME);
    /** {@link #TAG}, to match whole strings. */
    public static final Pattern TAG_PATTERN = Pattern.compile(TAG);

    private ReferenceGrammar() {
    }
}
