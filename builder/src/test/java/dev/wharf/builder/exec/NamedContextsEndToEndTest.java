package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.GitDaemon;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.builder.testing.LoopbackHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
 * Named contexts ({@code --build-context NAME=VALUE}) of every kind through the real engine: a local directory, a
 * git repository on a real git daemon, a URL on a real loopback HTTP server, {@code docker-image://} of an image in
 * the store, and {@code oci-layout://} of a layout directory; used by {@code FROM}, {@code COPY --from}, and as a
 * replacement of a stage of the same name, as BuildKit's dockerfile frontend resolves them.
 */
class NamedContextsEndToEndTest {
    @TempDir
    Path temp;

    BuildEngine engine;
    Path context;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("main.txt"), "main");
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private Path dir(String name, Map<String, String> files) throws Exception {
        Path d = Files.createDirectories(temp.resolve(name));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.createDirectories(d.resolve(f.getKey()).getParent());
            Files.writeString(d.resolve(f.getKey()), f.getValue());
        }
        return d;
    }

    private BuildRequest.Builder request(String dockerfile, String... contexts) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        // Relative directories (and oci-layout:// ones) in these tests are below the temporary directory, the
        // request's base, not the working directory.
        BuildRequest.Builder b = BuildRequest.builder(context).namedContextBase(temp);
        for (String c : contexts) {
            int eq = c.indexOf('=');
            b.namedContext(c.substring(0, eq), c.substring(eq + 1));
        }
        return b;
    }

    private Path build(BuildRequest.Builder request) throws Exception {
        Path out = Files.createTempDirectory(temp, "out-");
        engine.build(request.output(new BuildOutput("local", Optional.of(out))).build()).get(2, TimeUnit.MINUTES);
        return out;
    }

    private static List<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void localDirectory_isReadByCopyFrom_withItsOwnDockerignore() throws Exception {
        dir("src", Map.of("a.txt", "A", "secret.txt", "S", ".dockerignore", "secret.txt\n"));
        Path out = build(request("FROM scratch\nCOPY --from=src . /src/\n", "src=src"));
        assertEquals("A", Files.readString(out.resolve("src/a.txt")));
        assertFalse(Files.exists(out.resolve("src/secret.txt")));
    }

    @Test
    void fromANamedContext_startsFromItsFiles_andIsCachedWhileUnchanged() throws Exception {
        Path base = dir("base", Map.of("etc/base.conf", "b"));
        Path out = build(request("FROM mybase\nCOPY main.txt /main.txt\n", "mybase=base"));
        assertEquals("b", Files.readString(out.resolve("etc/base.conf")));
        assertEquals("main", Files.readString(out.resolve("main.txt")));
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        build(request("FROM mybase\nCOPY main.txt /main.txt\n", "mybase=base").listener(events::add));
        assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.StepCached), events.toString());
        Files.writeString(base.resolve("etc/base.conf"), "changed");
        List<BuildEvent> changed = Collections.synchronizedList(new ArrayList<>());
        Path again = build(request("FROM mybase\nCOPY main.txt /main.txt\n", "mybase=base")
                .listener(changed::add));
        assertFalse(changed.stream().anyMatch(e -> e instanceof BuildEvent.StepCached), changed.toString());
        assertEquals("changed", Files.readString(again.resolve("etc/base.conf")));
    }

    /**
     * buildx 0.13.1 on the peer, {@code FROM inv15bb / COPY --from=img ... / COPY --from=dctx ...} with {@code
     * img=docker-image://inv15bb:latest} and {@code dctx=DIR}: {@code #2 [context img] load metadata for
     * inv15bb:latest} (the reference as given; the FROM's own load of the same image is not shown again), {@code #3
     * [context dctx] load .dockerignore} with {@code transferring dctx: 2B done}, {@code #4 [internal] load
     * .dockerignore}, then {@code [context dctx] load from client} with {@code transferring dctx: 34B done} before
     * the copies; a directory replacing a stage loads its ignore file before the images' metadata.
     */
    @Test
    void namedContexts_showTheirMetadataIgnoreFileAndFilesVertices_asBuildxPrintsThem() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY main.txt /from-image.txt\n");
        engine.build(BuildRequest.builder(context).tag("local/base:1").build()).get(2, TimeUnit.MINUTES);
        dir("dctx", Map.of("d.txt", "d\n"));
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        build(request("FROM local/base:1\nCOPY --from=img /from-image.txt /i\nCOPY --from=dctx d.txt /d\n",
                "img=docker-image://local/base:1", "dctx=dctx").listener(events::add));
        List<String> all = allLabels(events);
        assertEquals(List.of("[internal] load build definition from Dockerfile",
                "[context img] load metadata for local/base:1", "[context dctx] load .dockerignore",
                "[internal] load .dockerignore"), all.subList(0, 4), all.toString());
        assertFalse(all.contains("[internal] load metadata for docker.io/local/base:1"), all.toString());
        int files = all.indexOf("[context dctx] load from client");
        assertTrue(files > 4 && files < all.indexOf("[stage-0 3/3] COPY --from=dctx d.txt /d"), all.toString());
        assertEquals(List.of("transferring dctx: 2B", "transferring dctx: 34B"), events.stream()
                .filter(e -> e instanceof BuildEvent.Transfer t && t.completed()
                        && t.id().startsWith("transferring dctx"))
                .map(e -> ((BuildEvent.Transfer) e).id() + " " + ((BuildEvent.Transfer) e).current() + "B")
                .toList());

        dir("out", Map.of("o.txt", "o"));
        List<BuildEvent> replaced = Collections.synchronizedList(new ArrayList<>());
        build(request("FROM local/base:1 AS base\nFROM base AS final\nCOPY main.txt /\nFROM local/base:1\n"
                + "COPY --from=final o.txt /o\n", "final=out").listener(replaced::add));
        List<String> order = allLabels(replaced);
        assertEquals(List.of("[internal] load build definition from Dockerfile", "[context final] load .dockerignore",
                "[internal] load metadata for docker.io/local/base:1", "[internal] load .dockerignore"),
                order.subList(0, 4), order.toString());
        assertEquals(1, order.stream().filter(l -> l.equals("[context final] load from client")).count(),
                order.toString());
        assertEquals(1, order.stream().filter(l -> l.equals("[context final] load .dockerignore")).count(),
                order.toString());
    }

    /**
     * buildx 0.13.1 on the peer, {@code FROM inv15bb AS base / RUN ... / FROM inv15bb / COPY --from=base /d.txt /y}
     * with {@code base=DIR} of 3001 files: no stage is built for base, its files' vertex is {@code [context base]
     * load from client} with {@code transferring base: 34B done} (d.txt alone, the copy's follow path) before the
     * copy, DONE; wharf built the replaced stage's layer of the whole directory, and a copy done first stopped it
     * as CANCELED.
     */
    @Test
    void aReplacedStageOnlyCopiedFrom_isNotBuilt_andSendsOnlyTheCopiedPaths() throws Exception {
        Map<String, String> files = new java.util.HashMap<>();
        for (int i = 0; i < 300; i++) {
            files.put("f" + i + ".txt", i + "\n");
        }
        files.put("d.txt", "d\n");
        dir("big", files);
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        Path out = build(request("FROM scratch AS base\nRUN false\n\nFROM scratch\nCOPY --from=base /d.txt /y\n",
                "base=big").listener(events::add));
        assertEquals("d\n", Files.readString(out.resolve("y")));
        assertFalse(events.stream().anyMatch(e -> e instanceof BuildEvent.StepFailed), events.toString());
        List<String> all = allLabels(events);
        int files0 = all.indexOf("[context base] load from client");
        assertEquals(1, all.stream().filter(l -> l.equals("[context base] load from client")).count(), all.toString());
        assertTrue(files0 >= 0 && files0 < all.indexOf("[stage-1 1/1] COPY --from=base /d.txt /y"), all.toString());
        assertEquals(List.of("transferring base: 2B", "transferring base: 34B"), events.stream()
                .filter(e -> e instanceof BuildEvent.Transfer t && t.completed()
                        && t.id().startsWith("transferring base"))
                .map(e -> ((BuildEvent.Transfer) e).id() + " " + ((BuildEvent.Transfer) e).current() + "B")
                .toList());
    }

    private static List<String> allLabels(List<BuildEvent> events) {
        return events.stream().filter(e -> e instanceof BuildEvent.StepStarted)
                .map(e -> ((BuildEvent.StepStarted) e).label()).toList();
    }

    /**
     * buildx 0.13.1 on the peer, {@code FROM inv15bb AS base / RUN ... / FROM base AS final / COPY f /} with
     * {@code --build-context final=DIR}: the image is the directory's files alone, its config {@code
     * "architecture":"","config":{},"os":""} (toDispatchState's noinit keeps the zero image) and its one history
     * entry the local source's description, {@code "created_by":"local source for final"} with the exporter's
     * comment; neither replaced stage's steps run or show.
     */
    @Test
    void aDirectoryReplacingTheFinalStage_isTheImage_withoutPlatform_namedByItsLocalSource() throws Exception {
        dir("out", Map.of("d.txt", "d"));
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult result = engine.build(request("FROM scratch AS base\nRUN false\n\nFROM base AS final\n"
                + "COPY main.txt /\n", "final=out").listener(events::add).build()).get(2, TimeUnit.MINUTES);
        com.fasterxml.jackson.databind.JsonNode config = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(result.config());
        assertEquals("", config.get("architecture").asText(), result.config());
        assertEquals("", config.get("os").asText(), result.config());
        assertEquals(0, config.get("config").size(), result.config());
        assertEquals(1, config.get("history").size(), result.config());
        assertEquals("local source for final", config.get("history").get(0).get("created_by").asText());
        assertEquals("buildkit.exporter.image.v0", config.get("history").get(0).get("comment").asText());
        assertEquals(List.of("[context final] load .dockerignore", "[context final] load from client"),
                labels(events));
        assertEquals(1, result.layers().size());
    }

    /**
     * buildx 0.13.1 on the peer: a stage started from a named context shows the context's vertex, not a FROM step,
     * and its next step is [1/n] ({@code #5 [context extra] load from client}, {@code #6 [1/2] COPY Dockerfile /d};
     * {@code #4 [context img] real16-base} for {@code img=docker-image://real16-base}).
     */
    @Test
    void aStageFromANamedContext_showsTheContextsVertex_andCountsItsStepsFromOne() throws Exception {
        dir("base", Map.of("etc/base.conf", "b"));
        List<BuildEvent> files = Collections.synchronizedList(new ArrayList<>());
        build(request("FROM mybase\nCOPY main.txt /main.txt\n", "mybase=base").listener(files::add));
        assertEquals(List.of("[context mybase] load .dockerignore", "[context mybase] load from client",
                "[1/2] COPY main.txt /main.txt"), labels(files));

        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY main.txt /from-image.txt\n");
        engine.build(BuildRequest.builder(context).tag("local/base:1").build()).get(2, TimeUnit.MINUTES);
        List<BuildEvent> image = Collections.synchronizedList(new ArrayList<>());
        build(request("FROM img\nCOPY main.txt /main.txt\n", "img=docker-image://local/base:1")
                .listener(image::add));
        // buildx 0.13.1: "#2 [context base] load metadata for inv15bb:latest" comes first.
        assertEquals(List.of("[context img] load metadata for local/base:1", "[context img] local/base:1",
                "[1/2] COPY main.txt /main.txt"), labels(image));
        // Read by COPY --from, the same vertex (buildx: "#7 [context img] real16-base").
        List<BuildEvent> read = Collections.synchronizedList(new ArrayList<>());
        build(request("FROM scratch\nCOPY --from=img /from-image.txt /x\n", "img=docker-image://local/base:1")
                .listener(read::add));
        assertTrue(labels(read).contains("[context img] local/base:1"), labels(read).toString());
    }

    /**
     * buildx 0.13.1 on the peer, {@code FROM ctx} with ctx a directory, then {@code COPY}: the context's files are
     * a layer without a history entry, and the exporter appends one for the top layer, named as BuildKit names
     * that layer ({@code [1/2] COPY Dockerfile /d}, comment {@code buildkit.exporter.image.v0}); a RUN's layer is
     * {@code mount / from exec /bin/sh -c ...}.
     */
    @Test
    void aStageFromADirectoryContext_getsTheExportersHistoryEntry_forItsExtraLayer() throws Exception {
        dir("base", Map.of("etc/base.conf", "b"));
        Files.writeString(context.resolve("Dockerfile"), "FROM mybase\nCOPY main.txt /main.txt\n");
        for (int build = 0; build < 2; build++) {
            // The second build is all cache hits: the same entry.
            dev.wharf.builder.api.BuildResult result = engine.build(BuildRequest.builder(context)
                    .namedContextBase(temp).namedContext("mybase", "base").build()).get(2, TimeUnit.MINUTES);
            com.fasterxml.jackson.databind.JsonNode history = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(result.config()).get("history");
            assertEquals(2, history.size(), history.toString());
            assertEquals("COPY main.txt /main.txt # buildkit", history.get(0).get("created_by").asText());
            assertEquals("[1/2] COPY main.txt /main.txt", history.get(1).get("created_by").asText());
            assertEquals("buildkit.exporter.image.v0", history.get(1).get("comment").asText());
        }
    }

    /** The labels of the stages' vertices, in the order they started ([internal] ones left out). */
    private static List<String> labels(List<BuildEvent> events) {
        return events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && !s.stage().equals("internal")
                        && !s.stage().isEmpty() || e instanceof BuildEvent.StepStarted t && t.count() > 0)
                .map(e -> ((BuildEvent.StepStarted) e).label()).toList();
    }

    @Test
    void aContextNamedLikeAStage_replacesTheStage() throws Exception {
        dir("prebuilt", Map.of("lib.jar", "jar"));
        Path out = build(request("FROM scratch AS deps\nCOPY main.txt /built-here\n"
                + "FROM scratch\nCOPY --from=deps / /deps/\n", "deps=prebuilt"));
        assertEquals(List.of("lib.jar"), names(out.resolve("deps")));
    }

    @Test
    void aStageStillWinsOverAContextNamedLikeItsBaseImage() throws Exception {
        dir("other", Map.of("x", "x"));
        Path out = build(request("FROM scratch AS base\nCOPY main.txt /m\nFROM base\n", "scratch2=other"));
        assertEquals(List.of("m"), names(out));
    }

    @Test
    void gitContext_fromAGitDaemon() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("sub/a.txt", "from git"), "v1");
            Path out = build(request("FROM scratch\nCOPY --from=lib a.txt /a.txt\n",
                    "lib=" + git.url("lib") + "#v1:sub"));
            assertEquals("from git", Files.readString(out.resolve("a.txt")));
        }
    }

    @Test
    void gitContext_isResolvedAtEveryBuild_clonedOnlyWhenACopyOfItsCommitWasNotKeyedBefore() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("sub/a.txt", "one", "README", "r1"), "");
            String dockerfile = "FROM scratch\nCOPY --from=lib sub /sub\n";
            String lib = "lib=" + git.url("lib") + "#main";
            assertEquals("one", Files.readString(build(request(dockerfile, lib)).resolve("sub/a.txt")));
            long served = git.uploadPacks();
            List<BuildEvent> same = Collections.synchronizedList(new ArrayList<>());
            build(request(dockerfile, lib).listener(same::add));
            assertTrue(same.stream().anyMatch(e -> e instanceof BuildEvent.StepCached), same.toString());
            assertEquals(served + 1, git.uploadPacks(), "the ref is resolved (ls-remote), nothing is cloned");
            git.commit("lib", Map.of("README", "r2"), "");
            List<BuildEvent> readme = Collections.synchronizedList(new ArrayList<>());
            build(request(dockerfile, lib).listener(readme::add));
            assertTrue(readme.stream().anyMatch(e -> e instanceof BuildEvent.StepCached), "sub/ is unchanged");
            git.commit("lib", Map.of("sub/a.txt", "two"), "");
            List<BuildEvent> moved = Collections.synchronizedList(new ArrayList<>());
            Path out = build(request(dockerfile, lib).listener(moved::add));
            assertEquals("two", Files.readString(out.resolve("sub/a.txt")));
            assertFalse(moved.stream().anyMatch(e -> e instanceof BuildEvent.StepCached), moved.toString());
        }
    }

    @Test
    void urlContext_isOneFileNamedContext_notExtracted() throws Exception {
        try (LoopbackHttp http = LoopbackHttp.start()) {
            http.serve("/blob.bin", "payload".getBytes(StandardCharsets.UTF_8), Map.of());
            Path out = build(request("FROM scratch\nCOPY --from=dl / /dl/\n", "dl=" + http.url("/blob.bin")));
            assertEquals(List.of("context"), names(out.resolve("dl")));
            assertEquals("payload", Files.readString(out.resolve("dl/context")));
        }
    }

    @Test
    void dockerImage_resolvesThroughTheImageResolver_forFromAndCopyFrom() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY main.txt /from-image.txt\n");
        engine.build(BuildRequest.builder(context).tag("local/base:1").build()).get(2, TimeUnit.MINUTES);
        Path out = build(request("FROM alpine:3.20\nCOPY --from=busybox /from-image.txt /copied.txt\n",
                "alpine:3.20=docker-image://local/base:1", "busybox=docker-image://local/base:1"));
        assertEquals("main", Files.readString(out.resolve("from-image.txt")));
        assertEquals("main", Files.readString(out.resolve("copied.txt")));
    }

    @Test
    void ociLayout_byDigestAndByTag() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY main.txt /in-layout.txt\n");
        Path layout = temp.resolve("layout");
        BuildResult built = engine.build(BuildRequest.builder(context).tag("lay:v1")
                .output(new BuildOutput("oci", Optional.of(layout))).build()).get(2, TimeUnit.MINUTES);
        Path byDigest = build(request("FROM base\n", "base=oci-layout://layout@" + built.imageDigest()));
        assertEquals("main", Files.readString(byDigest.resolve("in-layout.txt")));
        Path index = layout.resolve("index.json");
        // buildx's TAG is the bare ref.name annotation, as skopeo and umoci write it.
        Files.writeString(index, Files.readString(index).replaceAll(
                "(\"org.opencontainers.image.ref.name\"\\s*:\\s*\")[^\"]*\"", "$1v1\""));
        Path byTag = build(request("FROM base\n", "base=oci-layout://layout:v1"));
        assertEquals("main", Files.readString(byTag.resolve("in-layout.txt")));
        ExecutionException e = assertThrows(ExecutionException.class, () -> engine.build(
                request("FROM base\n", "base=oci-layout://layout:nope").build()).get(2, TimeUnit.MINUTES));
        EngineException cause = assertInstanceOf(EngineException.class, e.getCause());
        assertTrue(cause.getMessage().contains("tagged nope"), cause.getMessage());
    }

    @Test
    void runMountFromANamedContext() throws Exception {
        engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                "busybox:latest");
        dir("data", Map.of("value.txt", "mounted"));
        Path out = build(request("FROM busybox:latest\nRUN --mount=from=data,target=/m cat /m/value.txt > /seen\n",
                "data=data"));
        assertEquals("mounted", Files.readString(out.resolve("seen")));
    }

    @Test
    void unknownGitRefInANamedContext_failsAtTheLineUsingIt() throws Exception {
        try (GitDaemon git = GitDaemon.start(temp.resolve("git"))) {
            git.commit("lib", Map.of("a.txt", "a"), "");
            ExecutionException e = assertThrows(ExecutionException.class, () -> engine.build(
                    request("FROM scratch\nCOPY --from=lib a.txt /a\n", "lib=" + git.url("lib") + "#nosuch")
                            .build()).get(2, TimeUnit.MINUTES));
            BuildFailedException f = assertInstanceOf(BuildFailedException.class, e.getCause());
            assertEquals(2, f.line());
            assertTrue(f.getMessage().contains("nosuch"), f.getMessage());
        }
    }

    @Test
    void aBadValue_failsTheBuildNamingIt() throws Exception {
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");
        ExecutionException e = assertThrows(ExecutionException.class, () -> engine.build(BuildRequest
                .builder(context).namedContext("x", temp.resolve("missing").toString()).build())
                .get(2, TimeUnit.MINUTES));
        EngineException cause = assertInstanceOf(EngineException.class, e.getCause());
        assertTrue(cause.getMessage().startsWith("--build-context x="), cause.getMessage());
        assertTrue(cause.getMessage().contains("no such file or directory"), cause.getMessage());
    }
}
