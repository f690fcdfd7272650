package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildContext;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.GitDaemon;
import dev.wharf.builder.testing.GitHttpServer;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.builder.testing.LoopbackHttp;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every form of the main build context through the real engine: a tar stream (gzip), a tarball file, an http(s)
 * tarball and a Dockerfile URL served by a real loopback HTTP server, a git repository served by a real {@code git
 * daemon}; the Dockerfile inside those contexts, and {@code .dockerignore} applied to local directories only.
 * Images are {@code FROM scratch} and exported with {@code type=local} to read their files.
 */
class BuildContextFormsTest {
    @TempDir
    Path temp;

    BuildEngine engine;

    @BeforeEach
    void setUp() {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private Path build(BuildRequest.Builder request) throws Exception {
        Path out = Files.createTempDirectory(temp, "out-");
        engine.build(request.output(new BuildOutput("local", Optional.of(out))).build()).get(2, TimeUnit.MINUTES);
        return out;
    }

    private EngineException failure(BuildRequest.Builder request) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> engine.build(request.build()).get(2, TimeUnit.MINUTES));
        return assertInstanceOf(EngineException.class, e.getCause());
    }

    private Path contextDir(Map<String, String> files) throws Exception {
        Path dir = Files.createTempDirectory(temp, "ctx-");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        return dir;
    }

    private byte[] tarGz(Path dir) throws Exception {
        Path tgz = Files.createTempFile(temp, "ctx-", ".tgz");
        Process p = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", dir.toString(), ".")
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        return Files.readAllBytes(tgz);
    }

    private static final String COPY_ALL = "FROM scratch\nCOPY . /ctx/\n";

    @Test
    void gzipTarStream_isExtracted_andDockerfilePathIsInsideIt_withoutApplyingDockerignore() throws Exception {
        Path dir = contextDir(Map.of("build/Dockerfile", COPY_ALL, "a.txt", "A", ".dockerignore", "a.txt\n"));
        Path out = build(BuildRequest.builder(new BuildContext.Stream(new ByteArrayInputStream(tarGz(dir))))
                .dockerfile(Path.of("build/Dockerfile")));
        assertEquals("A", Files.readString(out.resolve("ctx/a.txt")), "BuildKit applies .dockerignore to local "
                + "contexts only");
        assertTrue(Files.exists(out.resolve("ctx/build/Dockerfile")));
    }

    @Test
    void gzipStreamHoldingADockerfileNotATar_failsForWantOfADockerfile_asBuildKit() throws Exception {
        // Measured with buildx 0.13.1 on BuildKit 0.13: `docker buildx build - < Dockerfile.gz` uploads a context
        // (the CLI sees compression), BuildKit's unpack finds no tar and keeps the file as "context".
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(COPY_ALL.getBytes(StandardCharsets.UTF_8));
        }
        EngineException e = failure(BuildRequest.builder(
                new BuildContext.Stream(new ByteArrayInputStream(gz.toByteArray()))));
        assertTrue(e.getMessage().endsWith(": failed to read dockerfile: open Dockerfile: no such file or directory"),
                e.getMessage());
    }

    @Test
    void localDirectory_appliesDockerignore() throws Exception {
        Path dir = contextDir(Map.of("Dockerfile", COPY_ALL, "a.txt", "A", "b.txt", "B", ".dockerignore", "a.txt\n"));
        Path out = build(BuildRequest.builder(dir));
        assertFalse(Files.exists(out.resolve("ctx/a.txt")));
        assertEquals("B", Files.readString(out.resolve("ctx/b.txt")));
    }

    @Test
    void defaultDockerfile_takesItsOwnIgnoreFile_overDockerignore_asDockerBuild() throws Exception {
        // Measured with docker build on dockerd 26: without -f, Dockerfile.dockerignore beside the context's
        // Dockerfile is the ignore file (dockerui reads <filename>.dockerignore), not .dockerignore.
        Path dir = contextDir(Map.of("Dockerfile", COPY_ALL, "a.txt", "A", "b.txt", "B", ".dockerignore", "a.txt\n",
                "Dockerfile.dockerignore", "b.txt\n"));
        Path out = build(BuildRequest.builder(dir));
        assertEquals("A", Files.readString(out.resolve("ctx/a.txt")));
        assertFalse(Files.exists(out.resolve("ctx/b.txt")));
        // The lowercase default's own ignore file, as buildx sends the file name "dockerfile".
        Path lower = contextDir(Map.of("dockerfile", COPY_ALL, "a.txt", "A", "b.txt", "B", ".dockerignore",
                "a.txt\n", "dockerfile.dockerignore", "b.txt\n"));
        Path lowerOut = build(BuildRequest.builder(lower));
        assertEquals("A", Files.readString(lowerOut.resolve("ctx/a.txt")));
        assertFalse(Files.exists(lowerOut.resolve("ctx/b.txt")));
        // A Dockerfile given as text (-f -) has no file beside it: .dockerignore applies.
        Path text = build(BuildRequest.builder(dir).dockerfileText(COPY_ALL));
        assertFalse(Files.exists(text.resolve("ctx/a.txt")));
        assertEquals("B", Files.readString(text.resolve("ctx/b.txt")));
    }

    @Test
    void dockerfileSymlinks_resolveInsideTheDockerfilesDirectory_orTheContext_asBuildKitReadsThem() throws Exception {
        // Measured with docker build on dockerd 26: a Dockerfile linking inside its directory builds; one linking
        // out of it fails "open Dockerfile: no such file or directory" (fsutil sends the link, not the file).
        Path dir = contextDir(Map.of("docker/Dockerfile.real", COPY_ALL, "a.txt", "A"));
        Files.createSymbolicLink(dir.resolve("Dockerfile"), Path.of("docker/Dockerfile.real"));
        assertEquals("A", Files.readString(build(BuildRequest.builder(dir)).resolve("ctx/a.txt")));
        Path outside = contextDir(Map.of("a.txt", "A"));
        Files.createSymbolicLink(outside.resolve("Dockerfile"), dir.resolve("docker/Dockerfile.real"));
        assertReadFailure("open Dockerfile: no such file or directory", outside.resolve("Dockerfile").toString(),
                failure(BuildRequest.builder(outside)));
        // A tar context's Dockerfile that links to a host file is not read from the host.
        Path host = Files.writeString(temp.resolve("host-file"), "FROM scratch\nCOPY . /host/\n");
        Path tarDir = contextDir(Map.of("a.txt", "A"));
        Files.createSymbolicLink(tarDir.resolve("Dockerfile"), host);
        EngineException inTar = failure(BuildRequest.builder(new BuildContext.Stream(new ByteArrayInputStream(
                tarGz(tarDir)))));
        assertReadFailure("open Dockerfile: no such file or directory", "Dockerfile in the build context", inTar);
    }

    @Test
    void missingDockerfile_failsWithBuildKitsWords_andWhereWharfLooked() throws Exception {
        Path dir = contextDir(Map.of("a.txt", "A"));
        assertReadFailure("open Dockerfile: no such file or directory", dir.resolve("Dockerfile").toString(),
                failure(BuildRequest.builder(dir)));
        EngineException inTar = failure(BuildRequest.builder(new BuildContext.Stream(new ByteArrayInputStream(
                tarGz(dir)))).dockerfile(Path.of("build/app.Dockerfile")));
        assertReadFailure("open app.Dockerfile: no such file or directory", "app.Dockerfile in the build context",
                inTar);
    }

    /**
     * BuildKit's reason ({@code docker build} prints {@code ERROR: failed to solve: failed to read dockerfile: ...}),
     * a failure of the build's first step, whose name says where wharf looked.
     */
    private static void assertReadFailure(String reason, String lookedAt, EngineException failure) {
        BuildFailedException failed = assertInstanceOf(BuildFailedException.class, failure, failure.getMessage());
        assertEquals("failed to read dockerfile: " + reason, failed.reason());
        assertEquals("[internal] load build definition from " + lookedAt, failed.step());
    }

    @Test
    void lowercaseDockerfile_isReadWhenDockerfileIsMissing_inADirectoryAndATar() throws Exception {
        // dockerui/config.go (moby/moby#10858): "dockerfile" is also supported casing of the default name.
        Path dir = contextDir(Map.of("dockerfile", COPY_ALL, "a.txt", "A"));
        assertEquals("A", Files.readString(build(BuildRequest.builder(dir)).resolve("ctx/a.txt")));
        Path tarOut = build(BuildRequest.builder(new BuildContext.Stream(new ByteArrayInputStream(tarGz(dir)))));
        assertEquals("A", Files.readString(tarOut.resolve("ctx/a.txt")));
    }

    @Test
    void streamThatIsNotAnArchive_isTheDockerfileOfAnEmptyContext() throws Exception {
        String dockerfile = "FROM scratch\nCOPY <<EOF /hello\nhi\nEOF\n";
        Path out = build(BuildRequest.builder(new BuildContext.Stream(
                new ByteArrayInputStream(dockerfile.getBytes(StandardCharsets.UTF_8)))));
        assertEquals("hi\n", Files.readString(out.resolve("hello")));
    }

    @Test
    void tarballFile_isExtracted() throws Exception {
        Path dir = contextDir(Map.of("Dockerfile", COPY_ALL, "a.txt", "A"));
        Path tgz = Files.write(temp.resolve("ctx.tar.gz"), tarGz(dir));
        Path out = build(BuildRequest.builder(new BuildContext.Archive(tgz)));
        assertEquals("A", Files.readString(out.resolve("ctx/a.txt")));
    }

    @Test
    void httpTarball_isDownloadedAndExtracted_followingARedirect() throws Exception {
        Path dir = contextDir(Map.of("Dockerfile", COPY_ALL, "a.txt", "A"));
        try (LoopbackHttp http = LoopbackHttp.start()) {
            http.serve("/files/ctx.tgz", tarGz(dir), Map.of()).redirect("/ctx", "/files/ctx.tgz");
            Path out = build(BuildRequest.builder(new BuildContext.Url(http.url("/ctx"))));
            assertEquals("A", Files.readString(out.resolve("ctx/a.txt")));
        }
    }

    /**
     * buildx 0.13.1 on the peer: a URL context's first vertexes are {@code [internal] load remote build context}
     * and, for an archive, {@code copy /context /}; a git context's is {@code [internal] load git source URL}; no
     * {@code load build definition}, {@code load .dockerignore} or {@code load build context} for either.
     */
    @Test
    void remoteContexts_showBuildKitsSourceVertexes_notALocalDefinitionTransfer() throws Exception {
        Path dir = contextDir(Map.of("Dockerfile", COPY_ALL, "a.txt", "A"));
        try (LoopbackHttp http = LoopbackHttp.start()) {
            http.serve("/ctx.tgz", tarGz(dir), Map.of()).serve("/Dockerfile", COPY_ALL.getBytes(StandardCharsets.UTF_8),
                    Map.of());
            assertEquals(List.of("[internal] load remote build context", "copy /context /", "[1/1] COPY . /ctx/"),
                    vertexes(BuildRequest.builder(new BuildContext.Url(http.url("/ctx.tgz")))));
            assertEquals(List.of("[internal] load remote build context", "[1/1] COPY . /ctx/"),
                    vertexes(BuildRequest.builder(new BuildContext.Url(http.url("/Dockerfile")))));
        }
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("repo", Map.of("app/Dockerfile", COPY_ALL), "v1");
            String url = git.url("repo") + "#v1:app";
            assertEquals(List.of("[internal] load git source " + url, "[1/1] COPY . /ctx/"),
                    vertexes(BuildRequest.builder(new BuildContext.Git(url))));
        }
    }

    private List<String> vertexes(BuildRequest.Builder request) throws Exception {
        List<dev.wharf.builder.api.BuildEvent> events =
                java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        build(request.listener(events::add));
        return events.stream().filter(e -> e instanceof dev.wharf.builder.api.BuildEvent.StepStarted)
                .map(e -> ((dev.wharf.builder.api.BuildEvent.StepStarted) e).label())
                .filter(l -> !l.startsWith("exporting") && !l.startsWith("[internal] load metadata")).toList();
    }

    @Test
    void httpUrlThatIsNotAnArchive_isTheDockerfile_andTheContextHoldsOnlyIt() throws Exception {
        try (LoopbackHttp http = LoopbackHttp.start()) {
            http.serve("/Dockerfile", COPY_ALL.getBytes(StandardCharsets.UTF_8), Map.of());
            Path out = build(BuildRequest.builder(new BuildContext.Url(http.url("/Dockerfile"))));
            // dockerui/context.go: the download is a file named "context", which is the Dockerfile.
            try (var files = Files.list(out.resolve("ctx"))) {
                assertEquals(List.of("context"), files.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    @Test
    void httpContext404_failsWithBuildKitsWords() throws Exception {
        try (LoopbackHttp http = LoopbackHttp.start()) {
            EngineException e = failure(BuildRequest.builder(new BuildContext.Url(http.url("/missing.tgz"))));
            // buildx 0.13.1 on the peer: "ERROR: failed to solve: failed to read downloaded context: failed to load
            // cache key: invalid response status 404", at the vertex "[internal] load remote build context".
            BuildFailedException failed = assertInstanceOf(BuildFailedException.class, e);
            assertEquals("failed to read downloaded context: failed to load cache key: invalid response status 404",
                    failed.reason());
            assertEquals("[internal] load remote build context", failed.step());
            assertFalse(failed.sourceShown(), "no Dockerfile lines: the frontend's error has no location");
        }
    }

    @Test
    void gitContext_fromAGitDaemon_withRefAndSubdirectory() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("repo", Map.of("app/Dockerfile", COPY_ALL, "app/v.txt", "one", "top.txt", "t"), "v1");
            git.commit("repo", Map.of("app/v.txt", "two"), "");
            Path out = build(BuildRequest.builder(new BuildContext.Git(git.url("repo") + "#v1:app")));
            assertEquals("one", Files.readString(out.resolve("ctx/v.txt")));
            assertFalse(Files.exists(out.resolve("ctx/top.txt")), "the subdirectory is the context");
            assertFalse(Files.exists(out.resolve("ctx/.git")), "no .git unless asked");
            Path head = build(BuildRequest.builder(new BuildContext.Git(git.url("repo") + "#main:app")));
            assertEquals("two", Files.readString(head.resolve("ctx/v.txt")));
        }
    }

    @Test
    void gitContext_ofASeenCommit_isOnlyListed_notCloned_andAMovedBranchGivesTheNewCommit() throws Exception {
        // BuildKit keys a git context on its commit (ls-remote) and keeps its checkout: an unchanged rebuild
        // fetches nothing.
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("repo", Map.of("app/Dockerfile", COPY_ALL, "app/v.txt", "one"), "");
            String url = git.url("repo") + "#main:app";
            long start = git.uploadPacks();
            assertEquals("one", Files.readString(build(BuildRequest.builder(new BuildContext.Git(url)))
                    .resolve("ctx/v.txt")));
            assertEquals(2, git.uploadPacks() - start, "the first build lists the refs and fetches");
            long rebuild = git.uploadPacks();
            assertEquals("one", Files.readString(build(BuildRequest.builder(new BuildContext.Git(url)))
                    .resolve("ctx/v.txt")));
            assertEquals(1, git.uploadPacks() - rebuild, "an unchanged rebuild only lists the refs");

            git.commit("repo", Map.of("app/v.txt", "two"), "");
            assertEquals("two", Files.readString(build(BuildRequest.builder(new BuildContext.Git(url)))
                    .resolve("ctx/v.txt")));

            // Two builds of a commit neither has seen: both clone, one stores its checkout, both see the files.
            git.commit("repo", Map.of("app/v.txt", "three"), "");
            Path[] outs = {Files.createTempDirectory(temp, "out-"), Files.createTempDirectory(temp, "out-")};
            var first = engine.build(BuildRequest.builder(new BuildContext.Git(url))
                    .output(new BuildOutput("local", Optional.of(outs[0]))).build());
            var second = engine.build(BuildRequest.builder(new BuildContext.Git(url))
                    .output(new BuildOutput("local", Optional.of(outs[1]))).build());
            first.get(2, TimeUnit.MINUTES);
            second.get(2, TimeUnit.MINUTES);
            assertEquals("three", Files.readString(outs[0].resolve("ctx/v.txt")));
            assertEquals("three", Files.readString(outs[1].resolve("ctx/v.txt")));
            try (var stored = Files.list(temp.resolve("store/git-contexts"))) {
                List<String> names = stored.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(3, names.size(), "one checkout per commit, no temporary left: " + names);
                assertTrue(names.stream().noneMatch(n -> n.startsWith("tmp-")), names.toString());
            }
        }
    }

    @Test
    void gitContext_keepsDotGitWithBuildkitContextKeepGitDir_andReadsQueryParameters() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("repo", Map.of("Dockerfile", COPY_ALL, "a.txt", "a"), "v1");
            Path out = build(BuildRequest.builder(new BuildContext.Git(git.url("repo") + "?tag=v1"))
                    .buildArg("BUILDKIT_CONTEXT_KEEP_GIT_DIR", "true"));
            assertTrue(Files.isDirectory(out.resolve("ctx/.git")));
            assertEquals("a", Files.readString(out.resolve("ctx/a.txt")));
        }
    }

    @Test
    void gitContext_overSmartHttp_inTheQueryForm_withChecksumAndMtimeCommit() throws Exception {
        // https://host/repo.git?ref=&subdir=&checksum=&mtime= (BuildKit 0.24+, mtime 0.29), a context argument buildx
        // hands BuildKit as git (urlutil.IsRemoteURL).
        Path tree = contextDir(Map.of("app/Dockerfile", COPY_ALL, "app/v.txt", "one", "top.txt", "t"));
        try (GitHttpServer git = GitHttpServer.start(temp.resolve("git"))) {
            String commit = git.publish("repo", tree);
            String address = git.url("repo") + "?ref=v1&subdir=app&checksum=" + commit.substring(0, 8)
                    + "&mtime=commit";
            BuildContext context = BuildContext.parse(address, new ByteArrayInputStream(new byte[0]));
            assertInstanceOf(BuildContext.Git.class, context);
            Path out = build(BuildRequest.builder(context));
            assertEquals("one", Files.readString(out.resolve("ctx/v.txt")));
            assertFalse(Files.exists(out.resolve("ctx/top.txt")), "the subdirectory is the context");
            EngineException e = failure(BuildRequest.builder(new BuildContext.Git(git.url("repo")
                    + "?ref=main&checksum=" + commit.substring(0, 8))));
            assertTrue(e.getMessage().contains("expected checksum to match " + commit.substring(0, 8) + ", got "),
                    e.getMessage());
        }
    }

    @Test
    void addGitChecksum_matchesTheCommitOrTheAnnotatedTag_caseSensitively_asBuildKitsGitSource() throws Exception {
        // source/git/source.go resolveMetadataFromURL: strings.HasPrefix on the tag's object or its commit, both as
        // git prints them (lower-case hex): an upper-case checksum never matches there either.
        Path tree = contextDir(Map.of("a.txt", "a"));
        try (GitHttpServer git = GitHttpServer.start(temp.resolve("git"))) {
            String commit = git.publish("repo", tree);
            String tag = git.tagObject("repo", "v1");
            Path byTag = build(BuildRequest.builder(contextDir(Map.of("Dockerfile", "FROM scratch\nADD --checksum="
                    + tag.substring(0, 10) + " " + git.url("repo") + "#v1 /t/\n"))));
            assertEquals("a", Files.readString(byTag.resolve("t/a.txt")));
            Path byCommit = build(BuildRequest.builder(contextDir(Map.of("Dockerfile", "FROM scratch\nADD "
                    + git.url("repo") + "?tag=v1&checksum=" + commit.substring(0, 10) + " /c/\n"))));
            assertEquals("a", Files.readString(byCommit.resolve("c/a.txt")));
            String upper = commit.toUpperCase(java.util.Locale.ROOT);
            BuildFailedException e = assertInstanceOf(BuildFailedException.class, failure(BuildRequest.builder(
                    contextDir(Map.of("Dockerfile", "FROM scratch\nADD --checksum=" + upper + " " + git.url("repo")
                            + "#v1 /u/\n")))));
            assertTrue(e.getMessage().contains("expected checksum to match " + upper + ", got " + commit + " or "
                    + tag), e.getMessage());
        }
    }

    @Test
    void gitContext_checksOutSubmodules_unlessSubmodulesFalse() throws Exception {
        // BuildKit's git source updates submodules recursively by default; ?submodules=false (dfgitutil,
        // llb.GitSkipSubmodules) leaves the submodule's directory empty, .gitmodules still in the checkout.
        try (GitHttpServer git = GitHttpServer.start(temp.resolve("git"))) {
            git.publish("lib", contextDir(Map.of("lib.txt", "from the submodule")));
            git.publishWithSubmodule("repo", contextDir(Map.of("Dockerfile", COPY_ALL, "top.txt", "t")), "vendor/lib",
                    "lib");
            Path with = build(BuildRequest.builder(new BuildContext.Git(git.url("repo"))));
            assertEquals("from the submodule", Files.readString(with.resolve("ctx/vendor/lib/lib.txt")));
            Path without = build(BuildRequest.builder(new BuildContext.Git(git.url("repo") + "?submodules=false")));
            assertEquals("t", Files.readString(without.resolve("ctx/top.txt")));
            assertTrue(Files.exists(without.resolve("ctx/.gitmodules")));
            assertTrue(Files.isDirectory(without.resolve("ctx/vendor/lib")), "the submodule's directory is made");
            try (java.util.stream.Stream<Path> entries = Files.list(without.resolve("ctx/vendor/lib"))) {
                assertEquals(List.of(), entries.toList(), "but left empty");
            }
            // ADD of the repository takes the same option (dockerfile2llb/convert_copy.go).
            Path added = build(BuildRequest.builder(contextDir(Map.of("Dockerfile", "FROM scratch\nADD "
                    + git.url("repo") + " /with/\nADD " + git.url("repo") + "?submodules=false /without/\n"))));
            assertEquals("from the submodule", Files.readString(added.resolve("with/vendor/lib/lib.txt")));
            assertFalse(Files.exists(added.resolve("without/vendor/lib/lib.txt")));
            assertTrue(Files.exists(added.resolve("without/top.txt")));
        }
    }

    @Test
    void gitContextWithAnUnknownRef_failsNamingTheRef() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("repo", Map.of("Dockerfile", COPY_ALL), "");
            EngineException e = failure(BuildRequest.builder(new BuildContext.Git(git.url("repo") + "#nope")));
            // buildx 0.13.1 on the peer, for a git context over HTTP with an unknown ref.
            assertEquals("failed to read dockerfile: failed to load cache key: repository does not contain ref nope, "
                    + "output: \"\"", assertInstanceOf(BuildFailedException.class, e).reason());
        }
    }

    @Test
    void argumentParsing_followsTheDockerCliOrder() throws Exception {
        Path dir = contextDir(Map.of("Dockerfile", COPY_ALL));
        Path file = Files.writeString(temp.resolve("ctx.tar"), "x");
        var stdin = new ByteArrayInputStream(new byte[0]);
        assertInstanceOf(BuildContext.Stream.class, BuildContext.parse("-", stdin));
        assertInstanceOf(BuildContext.Directory.class, BuildContext.parse(dir.toString(), stdin));
        assertInstanceOf(BuildContext.Git.class, BuildContext.parse("https://example.com/r.git#main:sub", stdin));
        assertInstanceOf(BuildContext.Git.class, BuildContext.parse("git@example.com:r.git", stdin));
        // buildx build/opt.go LoadInputs: an existing local directory comes before the git URL check, even one
        // named like scp-style git (relative to the working directory, as a user types it).
        String scpNamed = "git@wharf-test.invalid:ctx-" + ProcessHandle.current().pid();
        assertInstanceOf(BuildContext.Git.class, BuildContext.parse(scpNamed, stdin));
        Files.createDirectory(Path.of(scpNamed));
        try {
            assertInstanceOf(BuildContext.Directory.class, BuildContext.parse(scpNamed, stdin));
        } finally {
            Files.delete(Path.of(scpNamed));
        }
        assertInstanceOf(BuildContext.Git.class, BuildContext.parse("git://example.com/r", stdin));
        assertInstanceOf(BuildContext.Url.class, BuildContext.parse("https://example.com/ctx.tgz", stdin));
        assertInstanceOf(BuildContext.Archive.class, BuildContext.parse(file.toString(), stdin));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BuildContext.parse(temp.resolve("nothing").toString(), stdin));
        assertTrue(e.getMessage().startsWith("unable to prepare context: path "), e.getMessage());
    }
}
