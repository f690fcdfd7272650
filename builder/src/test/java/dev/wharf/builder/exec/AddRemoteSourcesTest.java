package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.testing.GitDaemon;
import dev.wharf.layers.Digest;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ADD <url>} against a real loopback HTTP server and {@code ADD <git url>} against a real {@code git daemon},
 * through the engine; the files are read back from a {@code type=local} export.
 */
class AddRemoteSourcesTest extends LoopbackHttpBuildFixture {
    private static final String LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";

    /**
     * Builds and unpacks the result's root filesystem with its owners: a {@code type=tar} export applied as root
     * (a {@code type=local} export is owned by the user running the build, as BuildKit's).
     */
    private Path build(String dockerfile, List<BuildEvent> events) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        Path out = Files.createTempDirectory(temp, "out-");
        Path tar = Files.createTempFile(temp, "rootfs-", ".tar");
        engine.build(BuildRequest.builder(context).listener(events::add)
                .output(new BuildOutput("tar", Optional.of(tar))).build()).get(2, TimeUnit.MINUTES);
        try (java.io.InputStream in = Files.newInputStream(tar)) {
            new dev.wharf.layers.layer.LayerApplier(dev.wharf.layers.posix.PosixFiles.system()).apply(in, out);
        }
        return out;
    }

    private Path build(String dockerfile) throws Exception {
        return build(dockerfile, Collections.synchronizedList(new ArrayList<>()));
    }

    private BuildFailedException failure(String dockerfile) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> engine.build(BuildRequest.builder(context).build()).get(2, TimeUnit.MINUTES));
        return assertInstanceOf(BuildFailedException.class, e.getCause());
    }

    /** The cached steps other than FROM (an image in the store is a cached FROM, as in BuildKit). */
    private static long cached(List<BuildEvent> events) {
        java.util.Set<Integer> from = new java.util.HashSet<>();
        for (BuildEvent e : events) {
            if (e instanceof BuildEvent.StepStarted s && s.name().startsWith("FROM ")) {
                from.add(s.step());
            }
        }
        return events.stream().filter(e -> e instanceof BuildEvent.StepCached c && !from.contains(c.step())).count();
    }

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void url_isSavedUnderItsPathsLastName_mode0600_mtimeFromLastModified_notExtracted() throws Exception {
        byte[] gzip = {0x1f, (byte) 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        http.serve("/dl/archive.tar.gz", gzip, Map.of("Last-Modified", LAST_MODIFIED));
        Path out = build("FROM scratch\nADD " + http.url("/dl/archive.tar.gz") + " /files/\n");
        Path file = out.resolve("files/archive.tar.gz");
        assertTrue(Files.isRegularFile(file), "a remote archive is not unpacked");
        assertEquals(0600, mode(file));
        assertEquals(Instant.parse("2015-10-21T07:28:00Z"), Files.getLastModifiedTime(file).toInstant());
    }

    @Test
    void url_toADestinationWithoutSlash_isThatFile_withChmodAndChown_andEpochMtimeWithoutLastModified()
            throws Exception {
        http.serve("/a/b.txt", "bee".getBytes(StandardCharsets.UTF_8), Map.of());
        Path out = build("FROM scratch\nADD --chmod=644 --chown=12:34 " + http.url("/a/b.txt") + " /renamed\n");
        Path file = out.resolve("renamed");
        assertEquals("bee", Files.readString(file));
        assertEquals(0644, mode(file));
        assertEquals(12, Files.getAttribute(file, "unix:uid"));
        assertEquals(34, Files.getAttribute(file, "unix:gid"));
        assertEquals(Instant.EPOCH, Files.getLastModifiedTime(file).toInstant());
    }

    @Test
    void url_withoutAPathName_isUnnamed() throws Exception {
        http.serve("/", "root".getBytes(StandardCharsets.UTF_8), Map.of());
        Path out = build("FROM scratch\nADD " + http.url("/") + " /d/\n");
        assertEquals("root", Files.readString(out.resolve("d/__unnamed__")));
    }

    @Test
    void url_rebuild_isCachedWhileTheContentIsTheSame_andRunsWhenItChanges() throws Exception {
        http.serve("/f", "one".getBytes(StandardCharsets.UTF_8), Map.of());
        String dockerfile = "FROM scratch\nADD " + http.url("/f") + " /f\n";
        build(dockerfile);
        List<BuildEvent> again = Collections.synchronizedList(new ArrayList<>());
        build(dockerfile, again);
        assertEquals(1, cached(again), "the ADD is cached: " + again);
        http.serve("/f", "two".getBytes(StandardCharsets.UTF_8), Map.of());
        List<BuildEvent> changed = Collections.synchronizedList(new ArrayList<>());
        Path out = build(dockerfile, changed);
        assertEquals(0, cached(changed), "the ADD runs again: " + changed);
        assertEquals("two", Files.readString(out.resolve("f")));
    }

    @Test
    void checksum_isVerified_andACachedStepDownloadsNothing() throws Exception {
        byte[] body = "pinned".getBytes(StandardCharsets.UTF_8);
        http.serve("/p", body, Map.of());
        String digest = Digest.sha256Of(body).toString();
        String dockerfile = "FROM scratch\nADD --checksum=" + digest + " " + http.url("/p") + " /p\n";
        assertEquals("pinned", Files.readString(build(dockerfile).resolve("p")));
        int gets = http.gets();
        build(dockerfile);
        assertEquals(gets, http.gets(), "with --checksum the key needs no download");
    }

    @Test
    void checksumMismatch_failsWithBuildKitsMessageAndTheLine() throws Exception {
        http.serve("/p", "pinned".getBytes(StandardCharsets.UTF_8), Map.of());
        String wrong = Digest.sha256Of(new byte[0]).toString();
        BuildFailedException e = failure("FROM scratch\nADD --checksum=" + wrong + " " + http.url("/p") + " /p\n");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("digest mismatch for " + http.url("/p")), e.getMessage());
        assertTrue(e.getMessage().contains("(expected: " + wrong + ")"), e.getMessage());
    }

    @Test
    void checksumWithALocalSource_isRefused() throws Exception {
        Files.writeString(context.resolve("f"), "x");
        BuildFailedException e = failure("FROM scratch\nADD --checksum=sha256:"
                + "0".repeat(64) + " f /f\n");
        assertTrue(e.getMessage().contains("checksum requires HTTP(S) or Git sources"), e.getMessage());
    }

    @Test
    void malformedChecksum_failsWithGoDigestsWords_asBuildKit() throws Exception {
        // convert_copy.go returns digest.Parse's error unchanged (compared with docker 26's BuildKit).
        for (String[] c : new String[][] {{"md5:abc", "unsupported digest algorithm"},
                {"sha256:abc", "invalid checksum digest length"}, {"sha256", "invalid checksum digest format"},
                {"sha256:" + "G".repeat(64), "invalid checksum digest format"}}) {
            BuildFailedException e = failure("FROM scratch\nADD --checksum=" + c[0] + " " + http.url("/a") + " /a\n");
            assertEquals(2, e.line());
            assertTrue(e.getMessage().endsWith(c[1]), c[0] + ": " + e.getMessage());
        }
    }

    @Test
    void notFound_failsWithTheStatusUrlAndLine() throws Exception {
        BuildFailedException e = failure("FROM scratch\nADD " + http.url("/missing") + " /m\n");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("invalid response status 404"), e.getMessage());
        assertTrue(e.getMessage().contains(http.url("/missing")), e.getMessage());
    }

    @Test
    void unreachableHost_failsSayingSo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        BuildFailedException e = failure("FROM scratch\nADD http://127.0.0.1:" + port + "/x /x\n");
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        assertEquals(2, e.line());
    }

    @Test
    void copyOfAUrl_isRefusedAsInBuildKit() throws Exception {
        BuildFailedException e = failure("FROM scratch\nCOPY " + http.url("/x") + " /x\n");
        assertTrue(e.getMessage().contains("source can't be a URL for COPY"), e.getMessage());
        BuildFailedException git = failure("FROM scratch\nCOPY git@example.invalid:r.git /x\n");
        assertTrue(git.getMessage().contains("source can't be a git ref for COPY"), git.getMessage());
    }

    @Test
    void gitRepository_isClonedAtTheRef_intoTheDestination_keyedByCommit() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("src/a.txt", "v1", "README", "r"), "v1");
            String dockerfile = "FROM scratch\nADD " + git.url("lib") + "#main:src /lib\n";
            Path out = build(dockerfile);
            assertEquals("v1", Files.readString(out.resolve("lib/a.txt")));
            assertFalse(Files.exists(out.resolve("lib/README")));
            assertFalse(Files.exists(out.resolve("lib/.git")));
            List<BuildEvent> again = Collections.synchronizedList(new ArrayList<>());
            build(dockerfile, again);
            assertEquals(1, cached(again), "same commit: cached");
            git.commit("lib", Map.of("src/a.txt", "v2"), "");
            List<BuildEvent> moved = Collections.synchronizedList(new ArrayList<>());
            Path newer = build(dockerfile, moved);
            assertEquals(0, cached(moved), "the branch moved: the ADD runs again");
            assertEquals("v2", Files.readString(newer.resolve("lib/a.txt")));
            Path tagged = build("FROM scratch\nADD " + git.url("lib") + "#v1 /lib\n");
            assertEquals("v1", Files.readString(tagged.resolve("lib/src/a.txt")));
        }
    }

    @Test
    void gitBranchThatMoved_isCachedWhenTheCopiedFilesAreUnchanged_andRunsWithTheNewFilesOtherwise()
            throws Exception {
        // BuildKit resolves the ref at every build (ls-remote): the git source's key is the commit, and the copy's
        // key is also the content of what it copies, so a commit that leaves src/ alone is a cache hit.
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("src/a.txt", "v1", "README", "r1"), "");
            String dockerfile = "FROM scratch\nADD " + git.url("lib") + "#main:src /lib\n";
            assertEquals("v1", Files.readString(build(dockerfile).resolve("lib/a.txt")));
            git.commit("lib", Map.of("README", "r2"), "");
            List<BuildEvent> readme = Collections.synchronizedList(new ArrayList<>());
            assertEquals("v1", Files.readString(build(dockerfile, readme).resolve("lib/a.txt")));
            assertEquals(1, cached(readme), "only README changed: the ADD of src is cached");
            git.commit("lib", Map.of("src/a.txt", "v2"), "");
            List<BuildEvent> changed = Collections.synchronizedList(new ArrayList<>());
            assertEquals("v2", Files.readString(build(dockerfile, changed).resolve("lib/a.txt")));
            assertEquals(0, cached(changed));
            long served = git.uploadPacks();
            List<BuildEvent> again = Collections.synchronizedList(new ArrayList<>());
            assertEquals("v2", Files.readString(build(dockerfile, again).resolve("lib/a.txt")));
            assertEquals(1, cached(again), "an unchanged commit is a cache hit");
            assertEquals(served + 1, git.uploadPacks(), "the ref is resolved (ls-remote), nothing is cloned");
        }
    }

    @Test
    void gitTagThatWasRepointed_givesTheNewCommitsFiles() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("a.txt", "v1"), "light");
            git.git("lib", "tag", "-a", "-m", "annotated", "rel");
            git.push("lib", "refs/tags/rel");
            String light = "FROM scratch\nADD " + git.url("lib") + "#light /lib\n";
            String annotated = "FROM scratch\nADD " + git.url("lib") + "#rel /lib\n";
            assertEquals("v1", Files.readString(build(light).resolve("lib/a.txt")));
            assertEquals("v1", Files.readString(build(annotated).resolve("lib/a.txt")));
            String second = git.commit("lib", Map.of("a.txt", "v2"), "");
            git.git("lib", "tag", "-f", "light", second);
            git.git("lib", "tag", "-f", "-a", "-m", "moved", "rel", second);
            git.push("lib", "refs/tags/light", "refs/tags/rel");
            List<BuildEvent> moved = Collections.synchronizedList(new ArrayList<>());
            assertEquals("v2", Files.readString(build(light, moved).resolve("lib/a.txt")));
            assertEquals(0, cached(moved), "the tag names another commit with other files");
            assertEquals("v2", Files.readString(build(annotated).resolve("lib/a.txt")));
            List<BuildEvent> again = Collections.synchronizedList(new ArrayList<>());
            assertEquals("v2", Files.readString(build(light, again).resolve("lib/a.txt")));
            assertEquals(1, cached(again));
        }
    }

    @Test
    void gitNameThatIsBothABranchAndATag_isTheBranch_asInBuildKit() throws Exception {
        // source/git resolveMetadataFromURL: "git-checkout prefers branches in case of ambiguity" (the cache key),
        // and since BuildKit 0.26 tryRemoteFetch forces the checkout to that commit. The tag by its full name.
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            String branch = git.commit("lib", Map.of("a.txt", "branch"), "");
            git.git("lib", "branch", "dup");
            git.commit("lib", Map.of("a.txt", "tag"), "dup");
            git.push("lib", "refs/heads/dup:refs/heads/dup", "refs/tags/dup:refs/tags/dup");
            assertEquals("branch", Files.readString(build("FROM scratch\nADD " + git.url("lib") + "#dup /lib\n")
                    .resolve("lib/a.txt")));
            Path kept = build("FROM scratch\nADD --keep-git-dir " + git.url("lib") + "#dup /lib\n");
            assertEquals("branch", Files.readString(kept.resolve("lib/a.txt")));
            assertEquals(branch, Files.readString(kept.resolve("lib/.git/HEAD")).strip());
            Path tag = build("FROM scratch\nADD " + git.url("lib") + "#refs/tags/dup /lib\n");
            assertEquals("tag", Files.readString(tag.resolve("lib/a.txt")));
        }
    }

    @Test
    void keepGitDir_keepsTheDotGitDirectory() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("a.txt", "a"), "");
            Path plain = build("FROM scratch\nADD " + git.url("lib") + " /lib\n");
            assertFalse(Files.exists(plain.resolve("lib/.git")));
            // Same commit, but BuildKit's git identifier holds KeepGitDir: no cache hit on the plain checkout.
            Path out = build("FROM scratch\nADD --keep-git-dir=true " + git.url("lib") + " /lib\n");
            assertTrue(Files.isDirectory(out.resolve("lib/.git")));
            assertEquals("a", Files.readString(out.resolve("lib/a.txt")));
            Path again = build("FROM scratch\nADD " + git.url("lib") + " /lib\n");
            assertFalse(Files.exists(again.resolve("lib/.git")));
        }
    }

    @Test
    void gitUnknownRef_failsNamingTheRefAndLine() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("a.txt", "a"), "");
            BuildFailedException e = failure("FROM scratch\nADD " + git.url("lib") + "#nosuch /lib\n");
            assertEquals(2, e.line());
            assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        }
    }

    @Test
    void gitChecksum_mustMatchTheCommit() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            String commit = git.commit("lib", Map.of("a.txt", "a"), "");
            assertEquals("a", Files.readString(build("FROM scratch\nADD --checksum=" + commit.substring(0, 12) + " "
                    + git.url("lib") + " /lib\n").resolve("lib/a.txt")));
            BuildFailedException e = failure("FROM scratch\nADD --checksum=deadbeef " + git.url("lib") + " /lib\n");
            assertTrue(e.getMessage().contains("expected checksum to match deadbeef, got " + commit),
                    e.getMessage());
        }
    }

    @Test
    void gitQueryForm_selectsRefAndSubdir_andItsOptionsMeetTheFlagsAsInBuildKit() throws Exception {
        // dfgitutil's ?ref=&subdir=&checksum=&keep-git-dir (BuildKit 0.24+), checked against ADD's flags as
        // dockerfile2llb/convert_copy.go checks them.
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            String commit = git.commit("lib", Map.of("src/a.txt", "v1", "README", "r"), "v1");
            git.commit("lib", Map.of("src/a.txt", "v2"), "");
            Path out = build("FROM scratch\nADD " + git.url("lib") + "?ref=v1&subdir=src&checksum="
                    + commit.substring(0, 10) + " /lib\n");
            assertEquals("v1", Files.readString(out.resolve("lib/a.txt")));
            assertFalse(Files.exists(out.resolve("lib/README")));
            Path kept = build("FROM scratch\nADD " + git.url("lib") + "?keep-git-dir /lib\n");
            assertTrue(Files.isDirectory(kept.resolve("lib/.git")));
            BuildFailedException keep = failure("FROM scratch\nADD --keep-git-dir=false " + git.url("lib")
                    + "?keep-git-dir=true /lib\n");
            assertTrue(keep.getMessage().contains("inconsistent keep-git-dir configuration"), keep.getMessage());
            BuildFailedException sums = failure("FROM scratch\nADD --checksum=aaa " + git.url("lib")
                    + "?checksum=bbb /lib\n");
            assertTrue(sums.getMessage().contains("checksum mismatch \"aaa\" != \"bbb\""), sums.getMessage());
            BuildFailedException wrong = failure("FROM scratch\nADD " + git.url("lib") + "?ref=v1&checksum=dead /l\n");
            assertTrue(wrong.getMessage().contains("expected checksum to match dead, got " + commit),
                    wrong.getMessage());
        }
    }

    @Test
    void severalGitSources_inheritAnEarlierAddressesKeepGitDirAndChecksum_asBuildKitsDispatchCopy() throws Exception {
        // dockerfile2llb/convert_copy.go stores a git address's ?keep-git-dir and ?checksum= into the ADD's cfg
        // inside its loop over the sources: the sources after it get them too.
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            String first = git.commit("one", Map.of("one.txt", "1"), "");
            String second = git.commit("two", Map.of("two.txt", "2"), "");
            Path kept = build("FROM scratch\nADD " + git.url("one") + "?keep-git-dir " + git.url("two") + " /d/\n");
            assertEquals("2", Files.readString(kept.resolve("d/two.txt")));
            assertEquals(second, Files.readString(kept.resolve("d/.git/HEAD")).strip(),
                    "the second checkout kept its .git, written over the first's");
            BuildFailedException inconsistent = failure("FROM scratch\nADD " + git.url("one") + "?keep-git-dir "
                    + git.url("two") + "?keep-git-dir=false /d/\n");
            assertTrue(inconsistent.getMessage().contains("inconsistent keep-git-dir configuration"),
                    inconsistent.getMessage());
            BuildFailedException sum = failure("FROM scratch\nADD " + git.url("one") + "?checksum=" + first + " "
                    + git.url("two") + " /d/\n");
            assertTrue(sum.getMessage().contains("expected checksum to match " + first + ", got " + second),
                    sum.getMessage());
            http.serve("/f.txt", "f".getBytes(StandardCharsets.UTF_8), Map.of());
            BuildFailedException url = failure("FROM scratch\nADD " + git.url("one") + "?checksum=" + first + " "
                    + http.url("/f.txt") + " /d/\n");
            assertTrue(url.getMessage().contains("invalid checksum digest format"), url.getMessage());
        }
    }

    @Test
    void url_withAnETag_isRevalidated_notDownloadedAgain_evenWhenTheStepRuns() throws Exception {
        http.serve("/e.txt", "etag one".getBytes(StandardCharsets.UTF_8), Map.of("ETag", "\"v1\""));
        String dockerfile = "FROM scratch\nADD " + http.url("/e.txt") + " /e.txt\n";
        build(dockerfile);
        assertEquals(1, http.bodies());
        List<BuildEvent> again = Collections.synchronizedList(new ArrayList<>());
        build(dockerfile, again);
        assertEquals(1, http.bodies(), "304 Not Modified: no second download");
        assertEquals(1, cached(again), again.toString());
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        Path out = Files.createTempDirectory(temp, "out-");
        engine.build(BuildRequest.builder(context).noCache(true)
                .output(new BuildOutput("local", Optional.of(out))).build()).get(2, TimeUnit.MINUTES);
        assertEquals("etag one", Files.readString(out.resolve("e.txt")), "restored from the remembered content");
        assertEquals(0600, mode(out.resolve("e.txt")));
        assertEquals(1, http.bodies());
        http.serve("/e.txt", "etag two".getBytes(StandardCharsets.UTF_8), Map.of("ETag", "\"v2\""));
        assertEquals("etag two", Files.readString(build(dockerfile).resolve("e.txt")));
        assertEquals(2, http.bodies());
    }
}
