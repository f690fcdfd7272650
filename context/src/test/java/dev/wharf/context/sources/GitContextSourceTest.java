package dev.wharf.context.sources;

import static dev.wharf.context.sources.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clones from a bare repository made in the test with the git CLI, over file:// URLs: no network. */
class GitContextSourceTest {

    @TempDir
    Path tmp;

    private Path work;
    private String url;
    private String firstCommit;

    @BeforeEach
    void makeRepository() throws Exception {
        work = tmp.resolve("work");
        Path src = Files.createDirectory(tmp.resolve("src"));
        git(src, "init", "-q");
        Files.writeString(src.resolve("Dockerfile"), "FROM scratch\n");
        Files.createDirectories(src.resolve("app/sub"));
        Files.writeString(src.resolve("app/sub/f.txt"), "v1");
        git(src, "add", "-A");
        git(src, "commit", "-q", "-m", "one");
        firstCommit = git(src, "rev-parse", "HEAD");
        git(src, "tag", "v1");
        Files.writeString(src.resolve("app/sub/f.txt"), "v2");
        git(src, "commit", "-q", "-am", "two");
        git(src, "checkout", "-q", "-b", "feature");
        Files.writeString(src.resolve("feature.txt"), "f");
        git(src, "add", "-A");
        git(src, "commit", "-q", "-m", "three");
        git(src, "checkout", "-q", "main");
        Path bare = tmp.resolve("repo.git");
        git(tmp, "clone", "-q", "--bare", src.toString(), bare.toString());
        url = bare.toUri().toString(); // file:///.../repo.git/
    }

    private String read(String address, String file) throws Exception {
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(address), work).open()) {
            return Files.readString(ctx.root().resolve(file));
        }
    }

    @Test
    void aRefThatLooksLikeAnOption_isARefspec_notAGitOption() throws Exception {
        // Without "--" before the remote, git fetch took such a ref as its --upload-pack option and ran it.
        Path marker = tmp.resolve("ran");
        String ref = "--upload-pack=touch " + marker + ";git-upload-pack";
        GitContextSource source = new GitContextSource(new GitRemote(url, ref, ""), work);
        assertThrows(ContextException.class, () -> source.open().close());
        assertFalse(Files.exists(marker), "git ran the ref as a command");
    }

    @Test
    void noRef_checksOutTheDefaultBranch() throws Exception {
        assertEquals("v2", read(url, "app/sub/f.txt"));
    }

    @Test
    void aBranch_aTag_andACommit_areCheckedOut() throws Exception {
        assertEquals("f", read(url + "#feature", "feature.txt"));
        assertEquals("v1", read(url + "#v1", "app/sub/f.txt"));
        assertEquals("v1", read(url + "#" + firstCommit, "app/sub/f.txt"));
    }

    @Test
    void aNameThatIsBothABranchAndATag_isTheBranch_asInBuildKit_withOrWithoutDotGit() throws Exception {
        // source/git resolveMetadataFromURL: "git-checkout prefers branches in case of ambiguity"; since BuildKit
        // 0.26 the checkout is forced to that commit too (a plain fetch of the short name would take the tag).
        Path src = tmp.resolve("src");
        String tagged = git(src, "rev-parse", "main");
        git(src, "branch", "dup", firstCommit);
        git(src, "tag", "-a", "-m", "same name", "dup", tagged);
        git(src, "push", "-q", tmp.resolve("repo.git").toString(), "refs/heads/dup:refs/heads/dup",
                "refs/tags/dup:refs/tags/dup");
        GitContextSource.ResolvedRef resolved = new GitContextSource(GitRemote.parse(url + "#dup"), work)
                .resolveRef();
        assertEquals(new GitContextSource.ResolvedRef("refs/heads/dup", firstCommit, firstCommit), resolved);
        assertEquals("v1", read(url + "#dup", "app/sub/f.txt"));
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url + "#dup"), work, true, "git").open()) {
            assertEquals(firstCommit, git(ctx.root(), "rev-parse", "HEAD"));
            assertEquals("v1", Files.readString(ctx.root().resolve("app/sub/f.txt")));
        }
        // The tag by its full name or the query's tag=, and heads/NAME as BuildKit's "refs/" + ref.
        assertEquals("v2", read(url + "#refs/tags/dup", "app/sub/f.txt"));
        assertEquals("v2", read(url + "?tag=dup", "app/sub/f.txt"));
        assertEquals("v2", read(url + "#tags/dup", "app/sub/f.txt"));
        assertEquals("v1", read(url + "#heads/dup", "app/sub/f.txt"));
    }

    @Test
    void aRefThatMovedAfterItWasResolved_isCheckedOutAtTheResolvedCommit() throws Exception {
        // BuildKit's tryRemoteFetch forces the commit of the cache key when the fetched ref differs from it.
        GitContextSource source = new GitContextSource(GitRemote.parse(url + "#main"), work);
        GitContextSource.ResolvedRef pin = source.resolveRef();
        Path src = tmp.resolve("src");
        Files.writeString(src.resolve("app/sub/f.txt"), "v3");
        git(src, "commit", "-q", "-am", "moved");
        git(src, "push", "-q", tmp.resolve("repo.git").toString(), "main");
        try (OpenedContext ctx = source.open(pin)) {
            assertEquals("v2", Files.readString(ctx.root().resolve("app/sub/f.txt")));
        }
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url + "#main"), work, true, "git").open(pin)) {
            assertEquals(pin.commit(), git(ctx.root(), "rev-parse", "HEAD"));
            assertEquals("v2", Files.readString(ctx.root().resolve("app/sub/f.txt")));
        }
        assertEquals("v3", read(url + "#main", "app/sub/f.txt"));
    }

    @Test
    void theQueryForm_checksOutTheRefAndSubdirectory_andVerifiesTheChecksum() throws Exception {
        // dfgitutil's ?ref=&subdir=&checksum= (BuildKit 0.24+) and source/git's checksum check (a prefix).
        assertEquals("v1", read(url + "?ref=v1&subdir=app", "sub/f.txt"));
        assertEquals("v1", read(url + "?tag=v1&checksum=" + firstCommit.substring(0, 7), "app/sub/f.txt"));
        ContextException e = assertThrows(ContextException.class, () -> read(url + "?ref=v1&checksum=0000", "x"));
        assertEquals("expected checksum to match 0000, got " + firstCommit, e.getMessage());
        assertEquals("expected checksum to match 0000, got " + firstCommit, assertThrows(ContextException.class,
                () -> read(url + "?checksum=0000#" + firstCommit, "x")).getMessage());
        assertEquals("invalid checksum xyz for Git URL, expected hex commit hash", assertThrows(
                ContextException.class, () -> read(url + "?checksum=xyz", "x")).getMessage());
        // fetch-by-commit fetches the checksum's commit, whatever the ref's head is now.
        assertEquals("v1", read(url + "?ref=main&fetch-by-commit&checksum=" + firstCommit, "app/sub/f.txt"));
    }

    @Test
    void keepGitDirAndMtimeCommit_inTheQuery_keepDotGit_andDateEveryFileAtTheCommit() throws Exception {
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url + "?keep-git-dir"), work).open()) {
            assertTrue(Files.isDirectory(ctx.root().resolve(".git")));
        }
        long committed = Long.parseLong(git(tmp.resolve("src"), "log", "-1", "--format=%ct", "v1"));
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url + "?mtime=commit#v1"), work).open()) {
            for (String p : List.of("Dockerfile", "app", "app/sub", "app/sub/f.txt", ".")) {
                assertEquals(committed, Files.getLastModifiedTime(ctx.root().resolve(p)).toMillis() / 1000, p);
            }
            assertFalse(Files.exists(ctx.root().resolve(".git")));
        }
    }

    @Test
    void theSubdirectory_becomesTheRoot() throws Exception {
        assertEquals("v1", read(url + "#v1:app/sub", "f.txt"));
        assertEquals("v2", read(url + "#:app", "sub/f.txt"));
    }

    @Test
    void dotGit_isRemovedUnlessKept_andCloseDeletesTheClone() throws Exception {
        Path root;
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url), work).open()) {
            root = ctx.root();
            assertFalse(Files.exists(root.resolve(".git")));
            assertTrue(root.startsWith(work));
        }
        assertFalse(Files.exists(root));
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url), work, true, "git").open()) {
            assertTrue(Files.isDirectory(ctx.root().resolve(".git")));
        }
    }

    /** Refs under .git, sorted, as "name sha". */
    private static String refs(Path root) throws Exception {
        return git(root, "for-each-ref", "--format=%(refname) %(objectname)");
    }

    @Test
    void aKeptGitDir_hasBuildKitsRefs_noFetchHead_andEmptyReflogs() throws Exception {
        Path src = tmp.resolve("src");
        git(src, "tag", "-a", "v1a", "-m", "annotated", firstCommit);
        git(src, "push", "-q", "--tags", tmp.resolve("repo.git").toString());
        String main = git(src, "rev-parse", "main");
        String annotated = git(src, "rev-parse", "v1a");
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url + "#v1"), work, true, "git").open()) {
            Path root = ctx.root();
            // source/git/source.go: fetched as v1:v1 from a bare repository holding only refs/tags/v1 (fetched
            // --no-tags), following the tags there that point at the commit.
            assertEquals("refs/heads/v1 " + firstCommit + "\nrefs/tags/v1 " + firstCommit, refs(root));
            assertEquals("v1", git(root, "describe", "--tags", "HEAD"));
            assertEquals(firstCommit, git(root, "rev-parse", "HEAD"));
            assertFalse(Files.exists(root.resolve(".git/FETCH_HEAD")));
            assertEquals(0, Files.size(root.resolve(".git/logs/HEAD")));
            assertEquals(url, git(root, "remote", "get-url", "origin"));
            assertEquals("v1", Files.readString(root.resolve("app/sub/f.txt")));
        }
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url), work, true, "git").open()) {
            assertEquals("refs/heads/main " + main + "\nrefs/tags/main " + main, refs(ctx.root()));
        }
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url + "#v1a"), work, true, "git").open()) {
            assertEquals("refs/tags/v1a " + annotated, refs(ctx.root()));
        }
        try (OpenedContext ctx = new GitContextSource(GitRemote.parse(url + "#" + firstCommit), work, true, "git")
                .open()) {
            // A commit is fetched from a temporary refs/buildkit/ID into FETCH_HEAD alone, which stores no ref and
            // so follows no tag: a detached HEAD without refs.
            assertEquals("", refs(ctx.root()));
            assertEquals(firstCommit, git(ctx.root(), "rev-parse", "HEAD"));
        }
        try (var list = Files.list(work)) {
            assertEquals(0, list.count(), "the bare repositories are deleted");
        }
    }

    @Test
    void credentialsInTheKeptRemote_areMaskedAsBuildKitMasksThem() {
        assertEquals("https://xxxxx:xxxxx@host/r.git", KeptGitCheckout.redactCredentials("https://u:p@host/r.git"));
        assertEquals("ssh://xxxxx@host/r.git", KeptGitCheckout.redactCredentials("ssh://git@host/r.git"));
        assertEquals("https://:xxxxx@host/r.git", KeptGitCheckout.redactCredentials("https://:p@host/r.git"));
        assertEquals("git@host:r.git", KeptGitCheckout.redactCredentials("git@host:r.git"));
        assertEquals("https://host/a@b", KeptGitCheckout.redactCredentials("https://host/a@b"));
    }

    @Test
    void aMissingRef_failsNamingIt_andLeavesNothing() throws Exception {
        // Resolved with ls-remote before any clone, as BuildKit's git source does.
        ContextException e = assertThrows(MissingGitRefException.class, () -> read(url + "#nope", "x"));
        // BuildKit's source/git words, with what ls-remote listed for the pattern (nothing).
        assertEquals("repository does not contain ref nope, output: \"\"", e.getMessage());
        try (var list = Files.list(work)) {
            assertEquals(0, list.count());
        }
    }

    @Test
    void aMissingSubdirectory_fails() {
        ContextException e = assertThrows(ContextException.class, () -> read(url + "#main:nothere", "x"));
        assertTrue(e.getMessage().contains("subdirectory nothere not found"), e.getMessage());
    }

    @Test
    void aSubdirectorySymlinkOutOfTheCheckout_isRefused() throws Exception {
        Path src = tmp.resolve("src");
        Files.createSymbolicLink(src.resolve("out"), tmp);
        git(src, "add", "-A");
        git(src, "commit", "-q", "-m", "link");
        git(src, "push", "-q", tmp.resolve("repo.git").toString(), "main");
        ContextException e = assertThrows(ContextException.class, () -> read(url + "#main:out", "x"));
        assertTrue(e.getMessage().contains("is not a directory inside the repository"), e.getMessage());
    }

    @Test
    void aMissingGitExecutable_saysSo() {
        ContextException e = assertThrows(ContextException.class, () -> new GitContextSource(
                GitRemote.parse(url), work, false, "/nonexistent/git").open());
        assertTrue(e.getMessage().contains("is git installed"), e.getMessage());
    }
}
