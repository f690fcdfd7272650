package dev.wharf.context.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitRemoteTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "https://github.com/moby/buildkit.git|https://github.com/moby/buildkit.git||",
        "https://github.com/moby/buildkit.git#v0.12|https://github.com/moby/buildkit.git|v0.12|",
        "https://host/repo.git#main:docs/site|https://host/repo.git|main|docs/site",
        "https://host/repo.git#:sub|https://host/repo.git||sub",
        "https://host/repo.git#main:../../etc|https://host/repo.git|main|etc",
        "https://host/repo.git#main:/a//b/./c/|https://host/repo.git|main|a/b/c",
        "git@github.com:moby/buildkit.git#dev:x|git@github.com:moby/buildkit.git|dev|x",
        "git://host/repo#tag|git://host/repo|tag|",
        "ssh://git@host/repo.git|ssh://git@host/repo.git||",
        "github.com/moby/buildkit#master|https://github.com/moby/buildkit|master|",
        "file:///srv/repo.git#b:s|file:///srv/repo.git|b|s",
        "/srv/repo#b|/srv/repo|b|",
    })
    void parsesRemoteRefAndSubdir(String address, String remote, String ref, String subdir) throws Exception {
        GitRemote r = GitRemote.parse(address);
        assertEquals(remote, r.remote());
        assertEquals(ref == null ? "" : ref, r.ref());
        assertEquals(subdir == null ? "" : subdir, r.subdir());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ftp://host/repo.git|ftp: invalid protocol",
        "https://host/repo|invalid git context https://host/repo: an http(s) git URL must end in .git",
        "./repo|invalid git context ./repo: relative paths are not git URLs",
        "repo|unknown protocol: repo",
    })
    void rejectsWhatBuildKitRejects(String address, String message) {
        ContextException e = assertThrows(ContextException.class, () -> GitRemote.parse(address));
        assertEquals(message, e.getMessage());
    }

    @Test
    void queryParameters_areReadAsBuildKitReadsThem() throws Exception {
        assertEquals(new GitRemote("https://host/repo.git", "main", "a/b"),
                GitRemote.parse("https://host/repo.git?ref=main&subdir=a/b"));
        assertEquals(new GitRemote("https://host/repo.git", "refs/tags/v1", ""),
                GitRemote.parse("https://host/repo.git?tag=v1"));
        assertEquals(new GitRemote("git@host:repo.git", "refs/heads/dev", "x"),
                GitRemote.parse("git@host:repo.git?branch=dev#:x"));
        assertEquals(new GitRemote("https://host/repo.git", "main", ""),
                GitRemote.parse("https://host/repo.git?ref=main#main"));
        assertEquals("ref conflicts: \"main\" vs \"dev\"", assertThrows(ContextException.class,
                () -> GitRemote.parse("https://host/repo.git?ref=dev#main")).getMessage());
        assertEquals("branch conflicts with tag", assertThrows(ContextException.class,
                () -> GitRemote.parse("https://host/repo.git?tag=a&branch=b")).getMessage());
        assertEquals("unexpected query \"foo\"", assertThrows(ContextException.class,
                () -> GitRemote.parse("https://host/repo.git?foo=1")).getMessage());
    }

    @Test
    void theNewerQueryOptions_areReadAsDfgitutilReadsThem() throws Exception {
        // dfgitutil loadQuery (BuildKit 0.24+; mtime 0.29, fetch-by-commit 0.30): checksum or commit, booleans
        // true without a value, mtime checkout or commit.
        assertEquals(new GitRemote("https://host/repo.git", "main", "app", "abc123", Optional.of(true), false,
                        "commit", false),
                GitRemote.parse("https://host/repo.git?ref=main&subdir=app&checksum=abc123&keep-git-dir"
                        + "&submodules=false&mtime=commit"));
        GitRemote byCommit = GitRemote.parse("https://host/repo.git?commit=" + "a".repeat(40)
                + "&fetch-by-commit=1&keep-git-dir=f#v1");
        assertEquals("a".repeat(40), byCommit.checksum());
        assertTrue(byCommit.fetchByCommit());
        assertEquals(Optional.of(false), byCommit.keepGitDir());
        assertEquals("v1", byCommit.ref());
        byCommit.checkChecksum();
        assertEquals("invalid keep-git-dir value: \"maybe\"", assertThrows(ContextException.class,
                () -> GitRemote.parse("https://host/repo.git?keep-git-dir=maybe")).getMessage());
        assertEquals("invalid mtime value: \"now\" (must be \"checkout\" or \"commit\")",
                assertThrows(ContextException.class,
                        () -> GitRemote.parse("https://host/repo.git?mtime=now")).getMessage());
        assertEquals("query \"checksum\" has no value", assertThrows(ContextException.class,
                () -> GitRemote.parse("https://host/repo.git?checksum=")).getMessage());
        assertEquals("invalid checksum xyz for Git URL, expected hex commit hash", assertThrows(
                ContextException.class, () -> GitRemote.parse("https://host/repo.git?checksum=xyz").checkChecksum())
                .getMessage());
        assertEquals("fetch-by-commit requires a checksum or a commit SHA ref", assertThrows(ContextException.class,
                () -> GitRemote.parse("https://host/repo.git?fetch-by-commit#main").checkChecksum()).getMessage());
        assertEquals("fetch-by-commit requires a full commit SHA checksum, got \"abc\"", assertThrows(
                ContextException.class, () -> GitRemote.parse("https://host/repo.git?fetch-by-commit&checksum=abc")
                        .checkChecksum()).getMessage());
        // A commit ref needs no checksum to be fetched by id.
        GitRemote.parse("https://host/repo.git?fetch-by-commit#" + "b".repeat(40)).checkChecksum();
    }

    @Test
    void aFullHexRef_isACommit() throws Exception {
        assertTrue(GitRemote.parse("git://h/r#" + "a".repeat(40)).refIsCommit());
        assertTrue(GitRemote.parse("git://h/r#" + "0".repeat(64)).refIsCommit());
        assertFalse(GitRemote.parse("git://h/r#" + "a".repeat(39)).refIsCommit());
        assertFalse(GitRemote.parse("git://h/r#main").refIsCommit());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "https://host/repo.git, true",
        "https://host/repo.git#main:dir, true",
        "http://host/repo.git, true",
        "https://host/archive.tar.gz, false",
        "git://host/repo, true",
        "git@host:repo.git, true",
        "github.com/moby/buildkit, true",
        "ssh://host/repo.git, true",
        "some/dir, false",
    })
    void recognisesGitUrlsAsBuildxDoes(String s, boolean git) {
        assertEquals(git, GitRemote.looksLikeGitUrl(s));
    }

    @Test
    void theQueryForm_sshAndScpAddresses_areGitContexts_asBuildxTellsThem() {
        // buildx's urlutil.IsRemoteURL with dfgitutil.ParseGitRef: the query form of BuildKit 0.24+ too.
        assertTrue(GitRemote.looksLikeGitUrl("https://host/repo.git?ref=v1&subdir=app"));
        assertTrue(GitRemote.looksLikeGitUrl("ssh://git@host/repo.git"));
        assertTrue(GitRemote.looksLikeGitUrl("deploy@host:team/repo.git"));
        assertTrue(GitRemote.looksLikeGitUrl("https://host/repo.git#main:app"));
        org.junit.jupiter.api.Assertions.assertFalse(GitRemote.looksLikeGitUrl("https://host/context.tar.gz"));
        org.junit.jupiter.api.Assertions.assertFalse(GitRemote.looksLikeGitUrl("https://host/x?file=repo.git"));
        org.junit.jupiter.api.Assertions.assertFalse(GitRemote.looksLikeGitUrl("/tmp/ctx.tar"));
    }
}
