package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.context.glob.GoPaths;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
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
 * parameters are read as BuildKit's (dfgitutil {@code loadQuery}, Dockerfile frontend 1.18 / BuildKit 0.24 and later:
 * {@code ref}, {@code tag}, {@code branch}, {@code subdir}, {@code checksum} or {@code commit}, {@code keep-git-dir},
 * {@code submodules}, {@code mtime} (0.29) and {@code fetch-by-commit} (0.30)). Immutable and thread-safe.
 *
 * @param remote the URL or path given to {@code git}, without fragment
 * @param ref the ref to check out; empty for the remote's default branch
 * @param subdir the context root inside the checkout, relative, cleaned; empty for the top
 * @param checksum {@code checksum=} (or {@code commit=}): a hex prefix the checked-out commit (or the annotated
 *                 tag) must start with; empty for none
 * @param keepGitDir {@code keep-git-dir=}: keep {@code .git} in the checkout; empty when not given
 * @param submodules false for {@code submodules=false}: the submodules are not checked out
 * @param mtime {@code mtime=}: {@code commit} sets every checked-out file's time to the commit's, {@code checkout}
 *              (or empty, the default) keeps the checkout's
 * @param fetchByCommit {@code fetch-by-commit}: fetch the commit the (full) checksum names instead of resolving the
 *                      ref on the remote
 */
public record GitRemote(String remote, String ref, String subdir, String checksum, Optional<Boolean> keepGitDir,
                        boolean submodules, String mtime, boolean fetchByCommit) {

    // util/gitutil/git_url.go protoRegexp and supportedProtos (file is wharf's addition, see the class comment).
    private static final Pattern PROTO = Pattern.compile("^[a-zA-Z0-9]+://");
    private static final Set<String> PROTOCOLS = Set.of("http", "https", "ssh", "git", "file");
    // util/sshutil/scpurl.go gitSSHRegex.
    private static final Pattern SCP = Pattern.compile("^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\\?(.*?))?(?:#(.*))?$");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    public GitRemote {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(subdir, "subdir");
        Objects.requireNonNull(checksum, "checksum");
        Objects.requireNonNull(keepGitDir, "keepGitDir");
        Objects.requireNonNull(mtime, "mtime");
    }

    /** A remote without query options. */
    public GitRemote(String remote, String ref, String subdir) {
        this(remote, ref, subdir, "", Optional.empty(), true, "", false);
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
            return withQuery(withFragment(parts[0], parts[2]), parts[1]);
        }
        Matcher scp = SCP.matcher(text);
        if (scp.matches()) {
            String remote = scp.group(1) + "@" + scp.group(2) + ":" + scp.group(3);
            return withQuery(withFragment(remote, scp.group(5) == null ? "" : scp.group(5)),
                    scp.group(4) == null ? "" : scp.group(4));
        }
        if (text.startsWith("/")) {
            String[] parts = split(text);
            return withQuery(withFragment(parts[0], parts[2]), parts[1]);
        }
        throw new ContextException("unknown protocol: " + address);
    }

    /**
     * The git repository an {@code ADD} source names, by BuildKit's rules for ADD (dfgitutil {@code ParseGitRef}
     * as dockerfile2llb/convert_copy.go uses it): an {@code http(s)://} URL whose path ends in {@code .git}, an
     * {@code ssh://} or {@code git://} URL, or scp-style {@code user@host:path}. Anything else, {@code
     * github.com/...}, {@code file://} and local paths included, is not a git source (empty).
     *
     * @throws ContextException when the source is a git address but malformed
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
     * Whether a context argument is a git URL, as buildx tells (util/urlutil {@code IsRemoteURL} with dfgitutil
     * {@code ParseGitRef}, then BuildKit's dockerui {@code DetectGitContext}): an http(s) URL whose path ends in
     * {@code .git} (before a query or fragment: {@code https://host/repo.git?ref=v1&subdir=app}, {@code
     * https://host/repo.git#v1:app}), a {@code git://} or {@code ssh://} URL, scp-style {@code user@host:path}, or
     * {@code github.com/...}. The legacy docker CLI's {@code IsGitURL} agreed but for {@code ssh://} and an
     * http(s) URL whose query ends in {@code .git}.
     */
    public static boolean looksLikeGitUrl(String s) {
        if (s.startsWith("http://") || s.startsWith("https://")) {
            return split(s)[0].endsWith(".git");
        }
        return s.startsWith("git://") || s.startsWith("ssh://") || s.startsWith("github.com/")
                || SCP.matcher(s).matches();
    }

    /**
     * Whether the remote is reached over ssh ({@code ssh://} or scp-style {@code user@host:path}), for which BuildKit's
     * git source needs the client's forwarded ssh agent (gitutil's {@code IsSSHTransport}).
     */
    public boolean isSsh() {
        return remote.startsWith("ssh://") || !PROTO.matcher(remote).find() && SCP.matcher(remote).matches();
    }

    /** Whether the ref names a commit (a full SHA-1 or SHA-256 hex id), which is fetched by id. */
    public boolean refIsCommit() {
        return COMMIT.matcher(ref).matches();
    }

    /** {remote without query and fragment, query, fragment}. */
    private static String[] split(String text) {
        int hash = text.indexOf('#');
        String main = hash < 0 ? text : text.substring(0, hash);
        String fragment = hash < 0 ? "" : text.substring(hash + 1);
        int question = main.indexOf('?');
        String query = question < 0 ? "" : main.substring(question + 1);
        return new String[] {question < 0 ? main : main.substring(0, question), query, fragment};
    }

    /**
     * dfgitutil {@code loadQuery}: {@code ref}, {@code tag} (as {@code refs/tags/...}), {@code branch} (as {@code
     * refs/heads/...}) and {@code subdir}, each conflicting with a different value from the fragment; {@code checksum}
     * or {@code commit}; the booleans {@code keep-git-dir}, {@code submodules} and {@code fetch-by-commit} (true
     * without a value); {@code mtime} ({@code checkout} or {@code commit}). A key given twice, an unknown key, or
     * another key without a value is an error, in BuildKit's words.
     */
    private static GitRemote withQuery(GitRemote r, String query) throws ContextException {
        if (query.isEmpty()) {
            return r;
        }
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (values.put(key, value) != null) {
                throw new ContextException("query \"" + key + "\" has multiple values");
            }
        }
        String ref = r.ref();
        String subdir = r.subdir();
        String checksum = r.checksum();
        Optional<Boolean> keepGitDir = r.keepGitDir();
        boolean submodules = r.submodules();
        String mtime = r.mtime();
        boolean fetchByCommit = r.fetchByCommit();
        String tag = "";
        String branch = "";
        for (java.util.Map.Entry<String, String> e : values.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            boolean flag = Set.of("submodules", "keep-git-dir", "fetch-by-commit").contains(k);
            if (v.isEmpty() && !flag) {
                throw new ContextException("query \"" + k + "\" has no value");
            }
            switch (k) {
                case "ref" -> {
                    if (!ref.isEmpty() && !ref.equals(v)) {
                        throw new ContextException("ref conflicts: \"" + ref + "\" vs \"" + v + "\"");
                    }
                    ref = v;
                }
                case "tag" -> tag = v;
                case "branch" -> branch = v;
                case "subdir" -> {
                    String clean = GoPaths.clean("/" + v).substring(1);
                    if (!subdir.isEmpty() && !subdir.equals(clean)) {
                        throw new ContextException("subdir conflicts: \"" + subdir + "\" vs \"" + v + "\"");
                    }
                    subdir = clean;
                }
                case "checksum", "commit" -> checksum = v;
                case "keep-git-dir" -> keepGitDir = Optional.of(flag(k, v));
                case "submodules" -> submodules = flag(k, v);
                case "fetch-by-commit" -> fetchByCommit = flag(k, v);
                case "mtime" -> {
                    if (!v.equals("checkout") && !v.equals("commit")) {
                        throw new ContextException("invalid mtime value: \"" + v
                                + "\" (must be \"checkout\" or \"commit\")");
                    }
                    mtime = v;
                }
                default -> throw new ContextException("unexpected query \"" + k + "\"");
            }
        }
        if (!tag.isEmpty()) {
            tag = tag.startsWith("refs/tags/") ? tag : "refs/tags/" + tag;
            if (!ref.isEmpty() && !ref.equals(tag)) {
                throw new ContextException("ref conflicts: \"" + ref + "\" vs \"" + tag + "\"");
            }
            ref = tag;
        }
        if (!branch.isEmpty()) {
            if (!tag.isEmpty()) {
                throw new ContextException("branch conflicts with tag");
            }
            branch = branch.startsWith("refs/heads/") ? branch : "refs/heads/" + branch;
            if (!ref.isEmpty() && !ref.equals(branch)) {
                throw new ContextException("ref conflicts: \"" + ref + "\" vs \"" + branch + "\"");
            }
            ref = branch;
        }
        return new GitRemote(r.remote(), ref, subdir, checksum, keepGitDir, submodules, mtime, fetchByCommit);
    }

    /** A boolean query value as Go's strconv.ParseBool reads it; no value means true. */
    private static boolean flag(String key, String value) throws ContextException {
        return switch (value) {
            case "", "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new ContextException("invalid " + key + " value: \"" + value + "\"");
        };
    }

    /**
     * The checksum as BuildKit's git source checks it before any fetch (source/git resolveMetadata): hex digits,
     * and a full commit id for {@code fetch-by-commit}.
     *
     * @throws ContextException in BuildKit's words
     */
    public void checkChecksum() throws ContextException {
        if (!checksum.isEmpty() && !checksum.matches("[a-fA-F0-9]+")) {
            throw new ContextException("invalid checksum " + checksum + " for Git URL, expected hex commit hash");
        }
        if (fetchByCommit && !refIsCommit()) {
            if (checksum.isEmpty()) {
                throw new ContextException("fetch-by-commit requires a checksum or a commit SHA ref");
            }
            if (!COMMIT.matcher(checksum).matches()) {
                throw new ContextException("fetch-by-commit requires a full commit SHA checksum, got \""
                        + checksum + "\"");
            }
        }
    }

    /** A copy with {@code value} as its checksum. */
    public GitRemote withChecksum(String value) {
        return new GitRemote(remote, ref, subdir, value, keepGitDir, submodules, mtime, fetchByCommit);
    }

    private static String decode(String s) throws ContextException {
        try {
            return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ContextException("invalid URL escape in " + s, e);
        }
    }

    /** util/gitutil parseOpts: ref and subdir split at the first colon, subdir cleaned as path.Join("/", s). */
    private static GitRemote withFragment(String remote, String fragment) {
        int colon = fragment.indexOf(':');
        String ref = colon < 0 ? fragment : fragment.substring(0, colon);
        String subdir = colon < 0 ? "" : fragment.substring(colon + 1);
        subdir = GoPaths.clean("/" + subdir).substring(1);
        return new GitRemote(remote, ref, subdir);
    }
}
