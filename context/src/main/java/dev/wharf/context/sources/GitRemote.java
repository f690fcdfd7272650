package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.GoPaths;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A git build context as BuildKit parses it (frontend/dockerfile/dfgitutil {@code ParseGitRef} over util/gitutil
 * {@code ParseURL}): the remote to clone, and from the {@code #ref:subdir} fragment the ref (branch, tag or commit;
 * empty for the default branch) and the subdirectory that becomes the context root (cleaned as {@code
 * path.Join("/", subdir)}, so it cannot climb out of the checkout).
 *
 * <p>Accepted: {@code http(s)://} URLs whose path ends in {@code .git}, {@code ssh://}, {@code git://}, scp-style
 * {@code user@host:path}, and {@code github.com/...} (taken as https). wharf also accepts {@code file://} URLs and
 * absolute local paths of a repository, which BuildKit's frontend cannot see but a daemonless build can. Query
 * parameters ({@code ?ref=...}) are not supported yet. Immutable and thread-safe.
 *
 * @param remote the URL or path given to {@code git}, without fragment
 * @param ref the ref to check out; empty for the remote's default branch
 * @param subdir the context root inside the checkout, relative, cleaned; empty for the top
 */
public record GitRemote(String remote, String ref, String subdir) {

    // util/gitutil/git_url.go protoRegexp and supportedProtos (file is wharf's addition, see the class comment).
    private static final Pattern PROTO = Pattern.compile("^[a-zA-Z0-9]+://");
    private static final Set<String> PROTOCOLS = Set.of("http", "https", "ssh", "git", "file");
    // util/sshutil/scpurl.go gitSSHRegex.
    private static final Pattern SCP = Pattern.compile("^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\\?(.*?))?(?:#(.*))?$");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    // moby builder/remotecontext/urlutil: urlPathWithFragmentSuffix.
    private static final Pattern GIT_SUFFIX = Pattern.compile("\\.git(?:#.+)?$");

    public GitRemote {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(subdir, "subdir");
    }

    /**
     * Parses a git context address.
     *
     * @throws ContextException when the address is not a git address BuildKit (or wharf, for local ones) accepts
     */
    public static GitRemote parse(String address) throws ContextException {
        Objects.requireNonNull(address, "address");
        if (address.startsWith("./") || address.startsWith("../")) {
            throw new ContextException("invalid git context " + address + ": relative paths are not git URLs");
        }
        boolean github = address.startsWith("github.com/");
        // dfgitutil: github.com/ is taken as https without the .git suffix check (kept here as the clone URL).
        String text = github ? "https://" + address : address;
        Matcher proto = PROTO.matcher(text);
        if (proto.find()) {
            String scheme = proto.group().substring(0, proto.group().length() - 3).toLowerCase(Locale.ROOT);
            if (!PROTOCOLS.contains(scheme)) {
                throw new ContextException(scheme + ": invalid protocol");
            }
            String[] parts = split(text);
            String path = parts[0].substring(proto.end());
            int slash = path.indexOf('/');
            path = slash < 0 ? "" : path.substring(slash);
            if (!github && (scheme.equals("http") || scheme.equals("https")) && !path.endsWith(".git")) {
                throw new ContextException("invalid git context " + address
                        + ": an http(s) git URL must end in .git");
            }
            return withFragment(parts[0], parts[1]);
        }
        Matcher scp = SCP.matcher(text);
        if (scp.matches()) {
            if (scp.group(4) != null && !scp.group(4).isEmpty()) {
                throw queryUnsupported(address);
            }
            String remote = scp.group(1) + "@" + scp.group(2) + ":" + scp.group(3);
            return withFragment(remote, scp.group(5) == null ? "" : scp.group(5));
        }
        if (text.startsWith("/")) {
            String[] parts = split(text);
            return withFragment(parts[0], parts[1]);
        }
        throw new ContextException("unknown protocol: " + address);
    }

    /**
     * The git repository an {@code ADD} source names, by BuildKit's rules for ADD (dfgitutil {@code ParseGitRef}
     * as dockerfile2llb/convert_copy.go uses it): an {@code http(s)://} URL whose path ends in {@code .git}, an
     * {@code ssh://} or {@code git://} URL, or scp-style {@code user@host:path}. Anything else, {@code
     * github.com/...}, {@code file://} and local paths included, is not a git source (empty).
     *
     * @throws ContextException when the source is a git address but malformed (query parameters, for now)
     */
    public static java.util.Optional<GitRemote> forAdd(String source) throws ContextException {
        if (source.startsWith("./") || source.startsWith("../") || source.startsWith("github.com/")) {
            return java.util.Optional.empty();
        }
        Matcher proto = PROTO.matcher(source);
        if (proto.find()) {
            String scheme = proto.group().substring(0, proto.group().length() - 3).toLowerCase(Locale.ROOT);
            if (!Set.of("http", "https", "ssh", "git").contains(scheme)) {
                return java.util.Optional.empty();
            }
            if (scheme.startsWith("http")) {
                String path;
                try {
                    path = java.net.URI.create(source.replace("#", "%23").replaceFirst("%23", "#")).getPath();
                } catch (IllegalArgumentException e) {
                    return java.util.Optional.empty();
                }
                if (path == null || !path.endsWith(".git")) {
                    return java.util.Optional.empty();
                }
            }
            return java.util.Optional.of(parse(source));
        }
        if (SCP.matcher(source).matches()) {
            return java.util.Optional.of(parse(source));
        }
        return java.util.Optional.empty();
    }

    /**
     * The docker CLI's test of whether a context argument is a git URL (moby builder/remotecontext/urlutil
     * {@code IsGitURL}): an http(s) URL ending in {@code .git} (before a fragment), or one starting with {@code
     * git://}, {@code github.com/} or {@code git@}.
     */
    public static boolean looksLikeGitUrl(String s) {
        if ((s.startsWith("http://") || s.startsWith("https://")) && GIT_SUFFIX.matcher(s).find()) {
            return true;
        }
        return s.startsWith("git://") || s.startsWith("github.com/") || s.startsWith("git@");
    }

    /** Whether the ref names a commit (a full SHA-1 or SHA-256 hex id), which is fetched by id. */
    public boolean refIsCommit() {
        return COMMIT.matcher(ref).matches();
    }

    /** {remote without query and fragment, fragment}. */
    private static String[] split(String text) throws ContextException {
        int hash = text.indexOf('#');
        String main = hash < 0 ? text : text.substring(0, hash);
        String fragment = hash < 0 ? "" : text.substring(hash + 1);
        if (main.indexOf('?') >= 0) {
            throw queryUnsupported(text);
        }
        return new String[] {main, fragment};
    }

    /** util/gitutil parseOpts: ref and subdir split at the first colon, subdir cleaned as path.Join("/", s). */
    private static GitRemote withFragment(String remote, String fragment) {
        int colon = fragment.indexOf(':');
        String ref = colon < 0 ? fragment : fragment.substring(0, colon);
        String subdir = colon < 0 ? "" : fragment.substring(colon + 1);
        subdir = GoPaths.clean("/" + subdir).substring(1);
        return new GitRemote(remote, ref, subdir);
    }

    private static ContextException queryUnsupported(String address) {
        return new ContextException("git context " + address + ": query parameters (?ref=, ?subdir=, ...) are not "
                + "supported; use the #ref:subdir fragment");
    }
}
