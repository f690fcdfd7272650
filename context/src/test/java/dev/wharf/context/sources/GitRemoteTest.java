package dev.wharf.context.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
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
        assertTrue(assertThrows(ContextException.class,
                () -> GitRemote.parse("https://host/repo.git?keep-git-dir=1")).getMessage()
                .contains("not supported by wharf yet"));
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
        "ssh://host/repo.git, false",
        "some/dir, false",
    })
    void recognisesGitUrlsAsTheDockerCliDoes(String s, boolean git) {
        assertEquals(git, GitRemote.looksLikeGitUrl(s));
    }
}
