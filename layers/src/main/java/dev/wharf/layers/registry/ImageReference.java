package dev.wharf.layers.registry;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.ReferenceGrammar;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A normalized image reference: registry domain, repository path, and an optional tag and digest, e.g.
 * {@code docker.io/library/alpine:3.20} for the familiar {@code alpine:3.20}.
 *
 * <p>Immutable and thread-safe. {@link #parse} follows Docker's {@code github.com/distribution/reference}
 * {@code ParseNormalizedNamed} exactly: names without a domain go to {@code docker.io}, single-component Docker Hub
 * names get the {@code library/} namespace, {@code index.docker.io} is canonicalized to {@code docker.io}, and
 * errors carry Docker's wording. Docker Hub's API is served from {@code registry-1.docker.io}
 * ({@link #registryHost()}).
 */
public final class ImageReference {
    /** The domain Docker Hub names are normalized to. */
    public static final String DOCKER_HUB_DOMAIN = "docker.io";
    /** The host that serves Docker Hub's registry API. */
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    /** The legacy Docker Hub domain, canonicalized to {@link #DOCKER_HUB_DOMAIN}. */
    public static final String DOCKER_HUB_LEGACY_DOMAIN = "index.docker.io";
    /** The tag used when a reference has neither tag nor digest. */
    public static final String DEFAULT_TAG = "latest";
    /** The longest repository path allowed (distribution/reference {@code RepositoryNameTotalLengthMax}). */
    public static final int MAX_PATH_LENGTH = 255;

    private static final String OFFICIAL_PREFIX = "library/";

    // The grammar of distribution/reference regexp.go (shared with local names in ReferenceGrammar).
    private static final String TAG = ReferenceGrammar.TAG;
    private static final String DIGEST = ReferenceGrammar.DIGEST;
    private static final String DOMAIN_AND_PORT = ReferenceGrammar.DOMAIN_AND_PORT;
    private static final String REMOTE_NAME = ReferenceGrammar.REMOTE_NAME;
    private static final String NAME = ReferenceGrammar.NAME;
    private static final Pattern REFERENCE =
            Pattern.compile("(" + NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    private static final Pattern ANCHORED_NAME =
            Pattern.compile("(?:(" + DOMAIN_AND_PORT + ")/)?(" + REMOTE_NAME + ")");
    private static final Pattern ANCHORED_TAG = ReferenceGrammar.TAG_PATTERN;
    private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern DIGEST_SYNTAX = Pattern.compile(DIGEST);
    private static final Pattern LOWER_HEX = Pattern.compile("[a-f0-9]+");

    private final String domain;
    private final String path;
    private final String tag;
    private final Digest digest;

    private ImageReference(String domain, String path, String tag, Digest digest) {
        this.domain = domain;
        this.path = path;
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses a reference as {@code docker pull} does (distribution/reference {@code ParseNormalizedNamed}): the tag
     * and digest are kept as given (both may be present, or neither; see {@link #withDefaultTag()}).
     *
     * @throws InvalidReferenceException with Docker's error text if the reference is malformed
     */
    public static ImageReference parse(String text) throws InvalidReferenceException {
        Objects.requireNonNull(text, "text");
        if (IDENTIFIER.matcher(text).matches()) {
            throw new InvalidReferenceException("invalid repository name (" + text
                    + "), cannot specify 64-byte hexadecimal strings");
        }
        String[] split = splitDockerDomain(text);
        String domain = split[0];
        String remainder = split[1];
        int tagSeparator = remainder.indexOf(':');
        String remote = tagSeparator >= 0 ? remainder.substring(0, tagSeparator) : remainder;
        if (!remote.toLowerCase(Locale.ROOT).equals(remote)) {
            throw new InvalidReferenceException("invalid reference format: repository name (" + remote
                    + ") must be lowercase");
        }
        return parseCanonical(domain + "/" + remainder);
    }

    /**
     * Parses a reference that must already be fully qualified ({@code domain/path[:tag][@digest]}) without
     * normalizing it, as distribution/reference {@code Parse} does for a reference that has a domain.
     */
    private static ImageReference parseCanonical(String text) throws InvalidReferenceException {
        if (text.isEmpty()) {
            throw new InvalidReferenceException("repository name must have at least one component");
        }
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            String lower = text.toLowerCase(Locale.ROOT);
            if (!lower.equals(text) && REFERENCE.matcher(lower).matches()) {
                throw new InvalidReferenceException("repository name must be lowercase");
            }
            throw new InvalidReferenceException("invalid reference format");
        }
        Matcher name = ANCHORED_NAME.matcher(m.group(1));
        if (!name.matches()) {
            throw new InvalidReferenceException("invalid reference format");
        }
        String domain = name.group(1) == null ? "" : name.group(1);
        String path = name.group(2);
        if (path.length() > MAX_PATH_LENGTH) {
            throw new InvalidReferenceException("repository name must not be more than " + MAX_PATH_LENGTH
                    + " characters");
        }
        Digest digest = m.group(3) == null ? null : parseDigest(m.group(3));
        return new ImageReference(domain, path, m.group(2), digest);
    }

    /** Validates a digest the way go-digest's {@code Digest.Validate} does, with its error texts. */
    private static Digest parseDigest(String text) throws InvalidReferenceException {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon + 1 == text.length()) {
            throw new InvalidReferenceException("invalid checksum digest format");
        }
        String algorithmName = text.substring(0, colon);
        String encoded = text.substring(colon + 1);
        Optional<DigestAlgorithm> algorithm = DigestAlgorithm.byOciName(algorithmName);
        if (algorithm.isEmpty()) {
            if (!DIGEST_SYNTAX.matcher(text).matches()) {
                throw new InvalidReferenceException("invalid checksum digest format");
            }
            throw new InvalidReferenceException("unsupported digest algorithm");
        }
        if (encoded.length() != algorithm.get().hexLength()) {
            throw new InvalidReferenceException("invalid checksum digest length");
        }
        if (!LOWER_HEX.matcher(encoded).matches()) {
            throw new InvalidReferenceException("invalid checksum digest format");
        }
        return Digest.of(algorithm.get(), encoded);
    }

    /**
     * Splits a familiar name into domain and remainder as distribution/reference {@code splitDockerDomain} does:
     * the first component is a domain when it is {@code localhost}, contains a dot or colon, or has uppercase
     * letters; Docker Hub's legacy domain is canonicalized; Hub names of one component get {@code library/}.
     */
    private static String[] splitDockerDomain(String name) {
        int slash = name.indexOf('/');
        if (slash < 0) {
            // Single element ("ubuntu", "ubuntu:latest"): never a host:port.
            return new String[] {DOCKER_HUB_DOMAIN, OFFICIAL_PREFIX + name};
        }
        String maybeDomain = name.substring(0, slash);
        String maybeRemote = name.substring(slash + 1);
        String domain;
        String remote;
        if (maybeDomain.equals("localhost")) {
            domain = maybeDomain;
            remote = maybeRemote;
        } else if (maybeDomain.equals(DOCKER_HUB_LEGACY_DOMAIN)) {
            domain = DOCKER_HUB_DOMAIN;
            remote = maybeRemote;
        } else if (maybeDomain.contains(".") || maybeDomain.contains(":")) {
            domain = maybeDomain;
            remote = maybeRemote;
        } else if (!maybeDomain.toLowerCase(Locale.ROOT).equals(maybeDomain)) {
            domain = maybeDomain;
            remote = maybeRemote;
        } else {
            domain = DOCKER_HUB_DOMAIN;
            remote = name;
        }
        if (domain.equals(DOCKER_HUB_DOMAIN) && !remote.contains("/")) {
            remote = OFFICIAL_PREFIX + remote;
        }
        return new String[] {domain, remote};
    }

    /**
     * Makes a reference from a repository name ({@code domain/path}, normalized like {@link #parse}) and a tag.
     *
     * @throws InvalidReferenceException if the name or tag is malformed
     */
    public static ImageReference ofTag(String name, String tag) throws InvalidReferenceException {
        ImageReference repository = parse(name);
        if (repository.tag != null || repository.digest != null) {
            throw new InvalidReferenceException("invalid reference format");
        }
        return repository.withTag(tag);
    }

    /** Returns the registry domain as written in the reference, e.g. {@code docker.io} or {@code localhost:5000}. */
    public String domain() {
        return domain;
    }

    /**
     * Returns the host (with port) that serves the registry API: the domain, except {@code registry-1.docker.io}
     * for Docker Hub.
     */
    public String registryHost() {
        return domain.equals(DOCKER_HUB_DOMAIN) ? DOCKER_HUB_API_HOST : domain;
    }

    /** Returns the repository path inside the registry, e.g. {@code library/alpine}. */
    public String path() {
        return path;
    }

    /** Returns the full repository name {@code domain/path}. */
    public String name() {
        return domain + "/" + path;
    }

    /** Returns the tag, if any. */
    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    /** Returns the digest, if any. */
    public Optional<Digest> digest() {
        return Optional.ofNullable(digest);
    }

    /**
     * Returns what to ask the registry's manifest endpoint for: the digest when there is one (it wins over a tag, as
     * in Docker's {@code ParseDockerRef}), else the tag, else {@code latest}.
     */
    public String manifestReference() {
        if (digest != null) {
            return digest.toString();
        }
        return tag != null ? tag : DEFAULT_TAG;
    }

    /** Returns this reference with {@code latest} as tag when it has neither tag nor digest (Docker's TagNameOnly). */
    public ImageReference withDefaultTag() {
        return tag == null && digest == null ? new ImageReference(domain, path, DEFAULT_TAG, null) : this;
    }

    /**
     * Returns the same repository with the given tag and no digest.
     *
     * @throws InvalidReferenceException if the tag is malformed ("invalid tag format")
     */
    public ImageReference withTag(String newTag) throws InvalidReferenceException {
        if (newTag == null || !ANCHORED_TAG.matcher(newTag).matches()) {
            throw new InvalidReferenceException("invalid tag format");
        }
        return new ImageReference(domain, path, newTag, null);
    }

    /** Returns the same repository with the given digest and no tag. */
    public ImageReference withDigest(Digest newDigest) {
        return new ImageReference(domain, path, null, Objects.requireNonNull(newDigest, "newDigest"));
    }

    /** Tells whether both references live on the same registry API host (so blobs can be mounted across). */
    public boolean sameRegistry(ImageReference other) {
        return registryHost().equals(other.registryHost());
    }

    /**
     * Returns the familiar form Docker prints: {@code docker.io/} and a lone {@code library/} dropped, e.g.
     * {@code alpine:3.20}.
     */
    public String familiar() {
        String familiarName;
        if (domain.equals(DOCKER_HUB_DOMAIN)) {
            String rest = path.startsWith(OFFICIAL_PREFIX) ? path.substring(OFFICIAL_PREFIX.length()) : path;
            familiarName = rest.contains("/") ? path : rest;
        } else {
            familiarName = name();
        }
        return familiarName + suffix();
    }

    /** Returns the canonical form {@code domain/path[:tag][@digest]}. */
    @Override
    public String toString() {
        return name() + suffix();
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageReference r && r.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
