package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkout that keeps its {@code .git} directory, made the way BuildKit's git source makes one (source/git/source.go,
 * {@code fetch} and {@code checkout} with {@code KeepGitDir} and no subdirectory), so that a build sees the same refs,
 * reflogs and remote: the ref is first fetched with depth 1 into a bare repository, stored under {@code refs/tags/REF}
 * (a commit id is fetched with {@code --tags}), then the checkout's own repository fetches it from there over
 * {@code file://} into {@code refs/heads/REF} ({@code refs/tags/REF} for an annotated tag, a temporary
 * {@code refs/buildkit/ID} for a commit id, which leaves no ref), following the tags that point at the commit, checks
 * out {@code FETCH_HEAD} (a detached HEAD), points {@code origin} at the remote with credentials masked, expires every
 * reflog and removes {@code FETCH_HEAD}. So {@code git describe --tags} works on a tag's checkout, as in BuildKit.
 * Stateless; thread-safe as long as each call gets its own directories.
 */
final class KeptGitCheckout {
    /** BuildKit's {@code defaultBranch} pattern over {@code git ls-remote --symref REMOTE HEAD}. */
    private static final Pattern DEFAULT_BRANCH = Pattern.compile("refs/heads/(\\S+)");
    private static final Pattern CREDENTIALS = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)([^/@]*)@");

    /** Runs git with its working directory; returns its output. */
    @FunctionalInterface
    interface Git {
        String run(Path dir, String... args) throws ContextException;
    }

    private KeptGitCheckout() {
    }

    /**
     * Checks {@code remote} out into {@code checkout} (an empty directory) with its {@code .git}, using
     * {@code bare} (an empty directory, which the caller deletes afterwards) for the intermediate repository.
     */
    static void checkout(Git git, GitRemote remote, GitContextSource.ResolvedRef pin, Path checkout, Path bare)
            throws ContextException {
        git.run(bare, "-c", "init.defaultBranch=master", "init", "-q", "--bare");
        git.run(bare, "remote", "add", "origin", remote.remote());
        String ref = remote.ref();
        if (ref.isEmpty()) {
            Matcher m = DEFAULT_BRANCH.matcher(git.run(bare, "ls-remote", "--symref", remote.remote(), "HEAD"));
            if (!m.find()) {
                throw new ContextException("could not find default branch for repository: "
                        + redactCredentials(remote.remote()));
            }
            ref = m.group(1);
        }
        if (remote.refIsCommit()) {
            try {
                git.run(bare, "fetch", "-q", "--tags", "origin", ref);
            } catch (ContextException byIdRefused) {
                // Servers without uploadpack.allowReachableSHA1InWant refuse a commit by id: every tag and branch.
                git.run(bare, "fetch", "-q", "--tags", "origin");
            }
        } else {
            // "local refs are needed so they would be advertised on next fetches": BuildKit stores any ref as a tag.
            String target = ref.startsWith("refs/tags/") ? ref : "tags/" + ref;
            git.run(bare, "fetch", "-q", "--depth=1", "--no-tags", "origin", "--force", "--", ref + ":" + target);
            pin(git, bare, target.startsWith("refs/") ? target : "refs/" + target, pin.object());
        }
        git.run(checkout, "-c", "init.defaultBranch=master", "init", "-q");
        git.run(checkout, "remote", "add", "origin", bare.toUri().toString());
        String pullref;
        if (git.run(bare, "cat-file", "-t", ref).strip().equals("tag")) {
            pullref = ref + ":" + (ref.startsWith("refs/tags/") ? ref : "refs/tags/" + ref);
        } else if (remote.refIsCommit()) {
            pullref = "refs/buildkit/" + UUID.randomUUID().toString().replace("-", "");
            git.run(bare, "update-ref", pullref, ref);
        } else {
            pullref = ref + ":" + ref;
        }
        git.run(checkout, "fetch", "-q", "-u", "--depth=1", "--", "origin", pullref);
        git.run(checkout, "-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD");
        git.run(checkout, "remote", "set-url", "origin", redactCredentials(remote.remote()));
        git.run(checkout, "reflog", "expire", "--all", "--expire=now");
        try {
            Files.deleteIfExists(checkout.resolve(".git").resolve("FETCH_HEAD"));
        } catch (IOException e) {
            throw new ContextException("failed to remove FETCH_HEAD for remote " + redactCredentials(remote.remote())
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Points {@code localRef} at {@code object} when the fetch brought another one, as BuildKit's tryRemoteFetch does
     * (BuildKit 0.26 and later) so the checkout is the commit of the cache key: the remote moved the ref after it was
     * resolved, or the short name is both a branch and a tag, which the fetch resolves to the tag and the cache key
     * to the branch.
     */
    private static void pin(Git git, Path bare, String localRef, String object) throws ContextException {
        if (git.run(bare, "rev-parse", localRef).strip().equals(object)) {
            return;
        }
        try {
            git.run(bare, "cat-file", "-e", object);
        } catch (ContextException missing) {
            if (Files.exists(bare.resolve("shallow"))) {
                git.run(bare, "fetch", "-q", "--tags", "--unshallow", "origin", object);
            } else {
                git.run(bare, "fetch", "-q", "--tags", "origin", object);
            }
            git.run(bare, "reflog", "expire", "--all", "--expire=now");
        }
        git.run(bare, "update-ref", localRef, object, "--no-deref");
    }

    /**
     * BuildKit's {@code urlutil.RedactCredentials}: the user and password of a URL become {@code xxxxx} (a user
     * alone too); what is not a URL with a scheme (an scp-like {@code git@host:repo}) is left as it is.
     */
    static String redactCredentials(String url) {
        Matcher m = CREDENTIALS.matcher(url);
        if (!m.find() || m.group(2).isEmpty()) {
            return url;
        }
        String info = m.group(2);
        int colon = info.indexOf(':');
        String user = colon < 0 ? info : info.substring(0, colon);
        String masked = (user.isEmpty() ? "" : "xxxxx") + (colon < 0 ? "" : ":xxxxx");
        return m.group(1) + masked + "@" + url.substring(m.end());
    }
}
