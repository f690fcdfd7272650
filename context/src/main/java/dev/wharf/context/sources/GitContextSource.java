package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A build context cloned from a git repository with the {@code git} command: a shallow fetch ({@code --depth 1}) of
 * the branch or tag, or of the commit when the ref is a full commit id (falling back to a full fetch when the server
 * refuses to serve a commit by id), a detached checkout, submodules updated recursively (as BuildKit's git source
 * does by default), then the context root is the fragment's subdirectory. The {@code .git} directory is removed
 * unless asked to keep it (BuildKit's {@code keep-git-dir}) for a checkout of the whole repository, which is then made
 * as BuildKit makes it ({@link KeptGitCheckout}). The address's query options are applied as BuildKit's git source
 * applies them: {@code checksum} checked against the checked-out commit (or the annotated tag fetched),
 * {@code keep-git-dir}, {@code submodules=false}, {@code mtime=commit} and {@code fetch-by-commit}.
 *
 * <p>{@code git} runs with prompts disabled ({@code GIT_TERMINAL_PROMPT=0}, ssh in batch mode) and stdin closed, so
 * a remote that needs credentials fails instead of hanging. Immutable and thread-safe; each open makes a new clone
 * under the work directory, deleted when the {@link OpenedContext} closes.
 *
 * @param remote what to clone
 * @param workDir where the temporary clone goes
 * @param keepGitDir keep {@code .git} in the checkout
 * @param gitCommand the git executable ({@code git} on the PATH normally)
 * @param authorization an {@code Authorization} header value every git command sends to the remote (BuildKit's
 *                      {@code http.<remote>.extraheader}, from the {@code GIT_AUTH_*} build secrets, given to git in its environment); never
 *                      shown by {@link #toString()}
 */
public record GitContextSource(GitRemote remote, Path workDir, boolean keepGitDir, String gitCommand,
                               java.util.Optional<String> authorization)
        implements BuildContextSource {

    public GitContextSource {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(gitCommand, "gitCommand");
        Objects.requireNonNull(authorization, "authorization");
    }

    /** A source without credentials. */
    public GitContextSource(GitRemote remote, Path workDir, boolean keepGitDir, String gitCommand) {
        this(remote, workDir, keepGitDir, gitCommand, java.util.Optional.empty());
    }

    /** This source, sending {@code value} as the {@code Authorization} header to the remote. */
    public GitContextSource withAuthorization(java.util.Optional<String> value) {
        return new GitContextSource(remote, workDir, keepGitDir, gitCommand, value);
    }

    @Override
    public String toString() {
        return "GitContextSource[remote=" + remote + ", workDir=" + workDir + ", keepGitDir=" + keepGitDir
                + ", gitCommand=" + gitCommand + ", authorization=" + (authorization.isPresent() ? "****" : "none")
                + "]";
    }

    /**
     * BuildKit's {@code tokenScope}: the URL prefix the header is configured for, the remote itself, or all of
     * GitHub for a GitHub remote (so submodules there get it too, as actions/checkout does).
     */
    static String tokenScope(String remote) {
        for (String prefix : List.of("https://github.com/", "https://www.github.com/")) {
            if (remote.startsWith(prefix)) {
                return prefix;
            }
        }
        return remote;
    }

    /** A source using {@code git} from the PATH, removing {@code .git}. */
    public GitContextSource(GitRemote remote, Path workDir) {
        this(remote, workDir, false, "git");
    }

    /**
     * @throws ContextException when git fails (its output is in the message), the ref does not exist, or the
     *                          subdirectory is missing, not a directory, or leaves the checkout through a symlink
     */
    @Override
    public OpenedContext open() throws ContextException {
        remote.checkChecksum();
        if (remote.refIsCommit() && !remote.checksum().isEmpty() && !remote.ref().startsWith(remote.checksum())) {
            throw mismatch(remote.ref());
        }
        return open(resolveRef());
    }

    /**
     * Clones the commit {@code pin} names, as {@link #resolveRef()} resolved it earlier (for the cache key): the ref
     * is fetched by its full name, and when the remote has moved it since, the pinned commit is fetched by id, as
     * BuildKit's git source forces the commit of its cache key (source/git/source.go tryRemoteFetch), so the files
     * always match the key.
     *
     * @throws ContextException as {@link #open()}
     */
    public OpenedContext open(ResolvedRef pin) throws ContextException {
        Objects.requireNonNull(pin, "pin");
        remote.checkChecksum();
        return TempContexts.open(workDir, "context-git-", temp -> OpenedContext.owned(checkout(temp, pin), temp));
    }

    /** Whether {@code .git} is kept: asked by the caller, or by the address's {@code keep-git-dir}. */
    private boolean keepsGitDir() {
        return keepGitDir || remote.keepGitDir().orElse(false);
    }

    /** The commit to fetch by id: the ref when it is one, else a fetch-by-commit's checksum; empty for a name. */
    private java.util.Optional<String> commitToFetch() {
        if (remote.refIsCommit()) {
            return java.util.Optional.of(remote.ref());
        }
        return remote.fetchByCommit() ? java.util.Optional.of(remote.checksum()) : java.util.Optional.empty();
    }

    private ContextException mismatch(String got) {
        // source/git/source.go: "expected checksum to match %s, got %s".
        return new ContextException("expected checksum to match " + remote.checksum() + ", got " + got);
    }

    private Path checkout(Path dir, ResolvedRef pin) throws ContextException {
        if (keepsGitDir() && remote.subdir().isEmpty()) {
            // BuildKit keeps .git only for a checkout of the whole repository, made its own way (refs, reflogs).
            Path bare;
            try {
                bare = Files.createTempDirectory(workDir, "context-git-bare-");
            } catch (IOException e) {
                throw new ContextException("cannot create a temporary git directory under " + workDir + ": "
                        + e.getMessage(), e);
            }
            try {
                KeptGitCheckout.checkout(this::git, remote, pin, dir, bare);
            } finally {
                try {
                    FileTrees.delete(bare);
                } catch (IOException e) {
                    // A leftover temporary repository under the work directory; the checkout itself is complete.
                }
            }
            verifyChecksum(dir, "HEAD");
            updateSubmodules(dir);
            commitTimes(dir, commitTime(dir));
            return dir;
        }
        git(dir, "init", "-q");
        git(dir, "remote", "add", "origin", remote.remote());
        String ref = commitToFetch().orElse(remote.ref().isEmpty() ? "HEAD" : remote.ref());
        boolean moved = false;
        if (commitToFetch().isPresent()) {
            fetchCommit(dir, ref);
            git(dir, "-c", "advice.detachedHead=false", "checkout", "-q", ref);
        } else {
            // The full name resolveRef chose, not the short one: git's DWIM on the remote would take a tag over a
            // branch of the same name, BuildKit the branch.
            git(dir, "fetch", "-q", "--depth=1", "--", "origin", pin.name());
            if (git(dir, "rev-parse", "FETCH_HEAD^{commit}").equals(pin.commit())) {
                git(dir, "-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD");
            } else {
                moved = true;
                fetchCommit(dir, pin.commit());
                git(dir, "-c", "advice.detachedHead=false", "checkout", "-q", pin.commit());
            }
        }
        verifyChecksum(dir, commitToFetch().isPresent() || moved ? "HEAD" : "FETCH_HEAD");
        updateSubmodules(dir);
        java.util.Optional<java.nio.file.attribute.FileTime> time = commitTime(dir);
        Path root = dir;
        if (!remote.subdir().isEmpty()) {
            root = dir.resolve(remote.subdir());
            try {
                Path real = root.toRealPath();
                if (!real.startsWith(dir.toRealPath()) || !Files.isDirectory(real)) {
                    throw new ContextException("git context " + describe() + ": subdirectory " + remote.subdir()
                            + " is not a directory inside the repository");
                }
                root = real;
            } catch (IOException e) {
                throw new ContextException("git context " + describe() + ": subdirectory " + remote.subdir()
                        + " not found in the repository", e);
            }
        }
        // With a subdirectory BuildKit checks out without .git even when asked to keep it.
        try {
            FileTrees.delete(dir.resolve(".git"));
        } catch (IOException e) {
            throw new ContextException("cannot remove .git from the clone of " + describe() + ": "
                    + e.getMessage(), e);
        }
        commitTimes(dir, time);
        return root;
    }

    /** Fetches one commit by id, or everything when the server refuses that. */
    private void fetchCommit(Path dir, String commit) throws ContextException {
        try {
            git(dir, "fetch", "-q", "--depth=1", "--", "origin", commit);
        } catch (ContextException byIdRefused) {
            // Servers without uploadpack.allowReachableSHA1InWant refuse a commit by id: fetch every branch
            // and tag, so a commit reachable only from a tag is found too.
            git(dir, "fetch", "-q", "--tags", "origin");
        }
    }

    /**
     * Checks the checkout against the address's checksum as BuildKit's git source does after its fetch: the commit,
     * or the annotated tag {@code fetched} names, must start with it.
     */
    private void verifyChecksum(Path dir, String fetched) throws ContextException {
        if (remote.checksum().isEmpty()) {
            return;
        }
        String commit = git(dir, "rev-parse", "HEAD");
        if (commit.startsWith(remote.checksum())) {
            return;
        }
        String object = git(dir, "rev-parse", fetched);
        if (object.equals(commit)) {
            throw mismatch(commit);
        }
        if (!object.startsWith(remote.checksum())) {
            throw mismatch(commit + " or " + object);
        }
    }

    /** With {@code mtime=commit}, the committer time of the checkout ({@code git log -1 --format=%ct}). */
    private java.util.Optional<java.nio.file.attribute.FileTime> commitTime(Path dir) throws ContextException {
        if (!remote.mtime().equals("commit")) {
            return java.util.Optional.empty();
        }
        String seconds = git(dir, "log", "-1", "--format=%ct", "HEAD");
        try {
            return java.util.Optional.of(java.nio.file.attribute.FileTime.from(
                    java.time.Instant.ofEpochSecond(Long.parseLong(seconds))));
        } catch (NumberFormatException e) {
            throw new ContextException("failed to parse commit timestamp \"" + seconds + "\"", e);
        }
    }

    /**
     * {@code mtime=commit}: every file, symlink and directory of the checkout gets the commit's time (source/git
     * resetSnapshotMtimes, directories last so their children do not change them again).
     */
    private void commitTimes(Path dir, java.util.Optional<java.nio.file.attribute.FileTime> time)
            throws ContextException {
        if (time.isEmpty()) {
            return;
        }
        List<Path> dirs = new ArrayList<>();
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(p);
                } else {
                    setTimes(p, time.get());
                }
            }
            for (int i = dirs.size() - 1; i >= 0; i--) {
                setTimes(dirs.get(i), time.get());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ContextException("failed to normalize mtimes for " + describe() + ": " + e.getMessage(), e);
        }
    }

    private static void setTimes(Path p, java.nio.file.attribute.FileTime time) throws IOException {
        Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(time, time, null);
    }

    private void updateSubmodules(Path dir) throws ContextException {
        if (remote.submodules() && Files.exists(dir.resolve(".gitmodules"), LinkOption.NOFOLLOW_LINKS)) {
            git(dir, "submodule", "update", "--init", "--recursive", "--depth=1");
        }
    }

    private String describe() {
        return remote.remote() + (remote.ref().isEmpty() ? "" : "#" + remote.ref());
    }

    /**
     * What the ref names on the remote, without cloning ({@code git ls-remote}).
     *
     * @param name the full name of the ref that was chosen ({@code refs/heads/main}, {@code refs/tags/v1}), the ref
     *             itself when it is a commit id, {@code HEAD} for the default branch
     * @param commit the commit: the ref itself when it is a commit id; else, as BuildKit's git source chooses for
     *               a short name, {@code refs/NAME} ({@code heads/x}, {@code tags/x}), the branch, the tag (peeled);
     *               the remote's {@code HEAD} for an empty ref. BuildKit's git source keys its cache on it.
     * @param object the object the ref names before peeling: an annotated tag's own id, else the commit. BuildKit's
     *               git source accepts a checksum that matches either (source/git/source.go resolveMetadataFromURL).
     */
    public record ResolvedRef(String name, String commit, String object) {
        public ResolvedRef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(commit, "commit");
            Objects.requireNonNull(object, "object");
        }

        /** Whether {@code checksum} is a prefix of the commit or of the annotated tag, as BuildKit compares. */
        public boolean matches(String checksum) {
            return commit.startsWith(checksum) || object.startsWith(checksum);
        }
    }

    /**
     * Resolves the ref on the remote without cloning.
     *
     * @throws ContextException when the remote cannot be reached or has no such ref
     */
    public ResolvedRef resolveRef() throws ContextException {
        remote.checkChecksum();
        if (commitToFetch().isPresent()) {
            String commit = commitToFetch().get();
            return new ResolvedRef(commit, commit, commit);
        }
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new ContextException("cannot create " + workDir + ": " + e.getMessage(), e);
        }
        String ref = remote.ref().isEmpty() ? "HEAD" : remote.ref();
        // As BuildKit's resolveMetadataFromURL, with the peeled pattern too: for a full name (refs/tags/v1) git lists
        // an annotated tag's commit only when asked for REF^{}.
        String listing = git(workDir, "ls-remote", "--", remote.remote(), ref, ref + "^{}");
        Map<String, String> byName = new java.util.HashMap<>();
        for (String line : listing.split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                byName.put(line.substring(tab + 1).strip(), line.substring(0, tab).strip());
            }
        }
        if (ref.equals("HEAD")) {
            String head = byName.get("HEAD");
            if (head != null) {
                return new ResolvedRef("HEAD", head, head);
            }
        } else {
            // source/git resolveMetadataFromURL: "refs/" + ref as written, then the branch ("git-checkout prefers
            // branches in case of ambiguity"), then the tag; a tag is peeled to its commit.
            for (String name : List.of("refs/" + ref.replaceFirst("^refs/", ""),
                    "refs/heads/" + ref.replaceFirst("^refs/heads/", ""),
                    "refs/tags/" + ref.replaceFirst("^refs/tags/", ""))) {
                String object = byName.get(name);
                if (object != null) {
                    return new ResolvedRef(name, byName.getOrDefault(name + "^{}", object), object);
                }
            }
        }
        throw new MissingGitRefException(ref, listing);
    }

    private String git(Path dir, String... args) throws ContextException {
        List<String> current = List.of(args);
        while (true) {
            try {
                return runGit(dir, current);
            } catch (GitFailure e) {
                java.util.Optional<List<String>> retry = ShallowFallback.retryArgs(current, e.output);
                if (retry.isEmpty()) {
                    throw e.error;
                }
                current = retry.get();
            }
        }
    }

    /** A git command that ran and failed: the error to report and what git printed, for {@link ShallowFallback}. */
    private static final class GitFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ContextException error;
        private final String output;

        GitFailure(ContextException error, String output) {
            super(error.getMessage(), null, false, false);
            this.error = error;
            this.output = output;
        }
    }

    private String runGit(Path dir, List<String> args) throws ContextException, GitFailure {
        List<String> command = new ArrayList<>();
        command.add(gitCommand);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        if (authorization.isPresent()) {
            // BuildKit passes the header as `-c http.<remote>.extraheader=...`; here git runs in the user's own
            // session, where any local user can read a process's arguments in /proc but not its environment, so
            // the secret goes in git's environment form of -c (GIT_CONFIG_COUNT, git 2.31+), after any the user set.
            int index = 0;
            try {
                index = Math.max(0, Integer.parseInt(env.getOrDefault("GIT_CONFIG_COUNT", "0").strip()));
            } catch (NumberFormatException e) {
                index = 0; // git itself refuses a malformed count; ours replaces it.
            }
            env.put("GIT_CONFIG_KEY_" + index, "http." + tokenScope(remote.remote()) + ".extraheader");
            env.put("GIT_CONFIG_VALUE_" + index, "Authorization: " + authorization.get());
            env.put("GIT_CONFIG_COUNT", String.valueOf(index + 1));
        }
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.putIfAbsent("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
        env.put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ContextException("cannot run " + gitCommand + " to clone " + describe() + ": " + e.getMessage()
                    + " (is git installed and on the PATH?)", e);
        }
        try (InputStream out = p.getInputStream()) {
            String output = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new GitFailure(new ContextException("git " + args.get(0) + " failed for " + describe()
                        + " (exit " + rc + ")" + (output.isEmpty() ? "" : ": " + output)), output);
            }
            return output;
        } catch (IOException e) {
            p.destroyForcibly();
            throw new ContextException("cannot read the output of git " + args.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ContextException("interrupted while cloning " + describe(), e);
        }
    }
}
