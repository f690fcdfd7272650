package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.cache.remote.InlineCache;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes.Compression;
import dev.wharf.layers.registry.LocalRegistry;
import dev.wharf.layers.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote step cache across machines, simulated by two store roots: a build in store A exports its cache
 * ({@code --cache-to}) to a real Distribution registry or an OCI layout directory, and the same build in the fresh
 * store B imports it ({@code --cache-from}). RUN steps write {@code date +%N}, so a step that ran again would give
 * another layer digest.
 */
class RemoteCacheEndToEndTest {
    private static final String SINGLE = """
            FROM busybox:latest
            RUN date +%N > /a && echo first
            WORKDIR /app
            COPY f.txt .
            RUN date +%N > /app/b && cat /a /app/b > /app/stamps
            ENV DONE=1
            """;
    private static final String MULTI = """
            FROM busybox:latest AS tools
            RUN echo tool > /tool
            RUN date +%N > /tool-stamp
            FROM busybox:latest
            COPY --from=tools /tool /tool
            RUN date +%N > /final
            """;

    @TempDir
    Path temp;

    BuildEngine engine;
    Path context;
    Path storeA;
    Path storeB;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        Path tar = BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox")));
        storeA = temp.resolve("store-a");
        storeB = temp.resolve("store-b");
        // One base image on both "machines": the same tarball imported at the same time gives the same digest.
        Clock fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        for (Path store : List.of(storeA, storeB)) {
            try (BuildEngine importer = BuildEngine.create(EngineOptions.of(store).withClock(fixed))) {
                importer.importImage(tar, "busybox:latest");
            }
        }
        engine = BuildEngine.create(EngineOptions.of(storeA));
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("f.txt"), "content\n");
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private BuildRequest.Builder request(Path store, String dockerfile, List<BuildEvent> events) {
        return BuildRequest.builder(context).dockerfileText(dockerfile).storeRoot(store).listener(events::add);
    }

    private BuildResult build(BuildRequest.Builder request) throws Exception {
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    private static List<String> warnings(List<BuildEvent> events) {
        return events.stream().filter(e -> e instanceof BuildEvent.Warning).map(e -> ((BuildEvent.Warning) e).message())
                .toList();
    }

    /** The names of the progress steps outside the stages (imports, exports). */
    private static List<String> started(List<BuildEvent> events) {
        return events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && s.count() == 0)
                .map(e -> ((BuildEvent.StepStarted) e).name()).toList();
    }

    private static List<String> executed(BuildResult result) {
        return result.steps().stream().filter(s -> !s.cached()).map(BuildResult.StepTiming::name).toList();
    }

    /**
     * A's layers as its cache export holds them: the layers A's steps made are stored uncompressed and exported
     * compressed (gzip, level 6, remembered in A's variant index); the imported base image is in no record.
     */
    private List<BuildResult.Layer> exported(BuildResult a) throws Exception {
        LocalStore store = LocalStore.open(storeA);
        List<BuildResult.Layer> out = new ArrayList<>();
        for (BuildResult.Layer layer : a.layers()) {
            Optional<Descriptor> gzip = store.variants().find(Digest.parse(layer.diffId()), Compression.GZIP, 6);
            out.add(gzip.map(d -> new BuildResult.Layer(d.digest().toString(), layer.diffId(), d.size(),
                    d.mediaType())).orElse(layer));
        }
        return out;
    }

    private void assertFullyCachedCopy(BuildResult a, BuildResult b, List<BuildEvent> events, Path storeOfB)
            throws Exception {
        assertEquals(List.of(), executed(b), "every step of B is a cache hit: " + b.steps());
        long fromSteps = b.steps().stream().filter(s -> s.name().startsWith("FROM ")).count();
        java.util.Set<Integer> from = new java.util.HashSet<>();
        events.stream().filter(e -> e instanceof BuildEvent.StepStarted s && s.name().startsWith("FROM "))
                .forEach(e -> from.add(((BuildEvent.StepStarted) e).step()));
        assertEquals(b.steps().size() - fromSteps, events.stream().filter(e -> e instanceof BuildEvent.StepCached c
                && !from.contains(c.step())).count(), "a CACHED event for every step after FROM");
        assertEquals(exported(a), b.layers(), "the layers come from the cache, not from running the steps again");
        // The same image (config, so image id); B's store holds the cache's gzip layers where A keeps its own
        // uncompressed, so only the local manifest digests differ (a push of either gives the same digest).
        assertEquals(a.imageId(), b.imageId());
        assertEquals(List.of(), warnings(events));
        assertFalse(Files.exists(storeOfB.resolve("state/sandbox")), "no sandbox was ever started for B's store");
    }

    @Test
    void registryCache_secondMachineHitsEveryStep_withTheSameLayersAndImageId() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            String ref = registry.host() + "/app/cache:main";
            List<BuildEvent> exportEvents = Collections.synchronizedList(new ArrayList<>());
            BuildResult a = build(request(storeA, SINGLE, exportEvents)
                    .cacheTo(CacheDestination.parse("type=registry,ref=" + ref)));
            assertTrue(started(exportEvents).contains("exporting cache to registry " + ref), exportEvents.toString());
            List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
            BuildResult b = build(request(storeB, SINGLE, events).cacheFrom(CacheSource.parse("type=registry,ref="
                    + ref)));
            assertTrue(Files.exists(storeA.resolve("state/sandbox")), "A ran its RUN steps in a sandbox");
            assertFullyCachedCopy(a, b, events, storeB);
            assertTrue(started(events).contains("importing cache manifest from " + ref), events.toString());
            LocalStore store = LocalStore.open(storeB);
            for (BuildResult.Layer layer : b.layers()) {
                assertTrue(store.blobs().exists(Digest.parse(layer.digest())), "the image's layers were fetched");
            }
            BuildResult again = build(request(storeB, SINGLE, new ArrayList<>()));
            assertEquals(List.of(), executed(again), "the imported records were kept in B's own cache");
            assertEquals(b.imageDigest(), again.imageDigest());
        }
    }

    @Test
    void inlineCache_thePushedImageIsTheCache_forASecondMachine() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            String image = registry.host() + "/app/inline:1";
            List<BuildEvent> exportEvents = Collections.synchronizedList(new ArrayList<>());
            BuildResult a = build(request(storeA, SINGLE, exportEvents).buildArg("BUILDKIT_INLINE_CACHE", "1")
                    .output(BuildOutput.parse("type=image,name=" + image + ",push=true")));
            assertTrue(a.config().contains("\"" + InlineCache.CONFIG_FIELD + "\""), a.config());
            assertEquals(List.of(), warnings(exportEvents), "BUILDKIT_INLINE_CACHE is no unused build-arg");

            List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
            BuildResult b = build(request(storeB, SINGLE, events).cacheFrom(CacheSource.parse(image))
                    .cacheTo(CacheDestination.parse("type=inline")));
            assertEquals(List.of(), executed(b), "every step of B is a cache hit: " + b.steps());
            assertEquals(List.of(), warnings(events));
            // B's image carries the same records, so it is the same image (config).
            assertEquals(a.imageId(), b.imageId());
            // Above the base (imported uncompressed on both machines), B's layers are the blobs A pushed (A's push
            // names them with Docker's types, B's store with OCI's).
            java.util.function.Function<BuildResult, List<String>> blobs = r -> r.layers().subList(1, r.layers().size())
                    .stream().map(l -> l.digest() + " " + l.diffId() + " " + l.size()).toList();
            assertEquals(blobs.apply(a), blobs.apply(b));
            assertEquals(dev.wharf.layers.MediaTypes.DOCKER_LAYER_GZIP, a.layers().get(1).mediaType());
            assertEquals(dev.wharf.layers.MediaTypes.OCI_LAYER_GZIP, b.layers().get(1).mediaType());

            List<BuildEvent> plain = Collections.synchronizedList(new ArrayList<>());
            BuildResult c = build(request(storeA, SINGLE, plain).noCache(true)
                    .cacheFrom(CacheSource.parse(registry.host() + "/app/none:1")));
            assertFalse(c.config().contains(InlineCache.CONFIG_FIELD), "no inline cache unless asked for");
            // A cache reference that does not resolve fails its import step, as BuildKit's, and is no warning.
            assertTrue(plain.stream().anyMatch(e -> e instanceof BuildEvent.StepFailed f && f.message().equals(
                    "failed to configure registry cache importer: " + registry.host() + "/app/none:1: not found")),
                    plain.toString());
            assertEquals(List.of(), warnings(plain));
        }
    }

    @Test
    void baseImageStoredUncompressedHere_andPulledCompressedThere_givesTheSameKeys() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            // A has the base as imported (layers uncompressed) and pushes it; B only pulls it (layers gzip): two
            // manifest digests for one image, whose steps must share keys, as BuildKit keys by the layers.
            String base = registry.host() + "/base/busybox:1";
            try (BuildEngine a = BuildEngine.create(EngineOptions.of(storeA).withClock(
                    Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)))) {
                a.importImage(temp.resolve("busybox/busybox.tar"), base);
                a.push(base, event -> { });
            }
            String dockerfile = SINGLE.replace("FROM busybox:latest", "FROM " + base);
            String cache = registry.host() + "/app/cache:base";
            build(request(storeA, dockerfile, new ArrayList<>())
                    .cacheTo(CacheDestination.parse("type=registry,ref=" + cache)));
            Path storeE = temp.resolve("store-e");
            List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
            BuildResult e = build(request(storeE, dockerfile, events).cacheFrom(CacheSource.parse(cache)));
            assertEquals(List.of(), executed(e), "every step of E is a cache hit: " + e.steps());
        }
    }

    @Test
    void imageWithoutInlineCache_isAWarningSayingHowToMakeOne() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            String image = registry.host() + "/app/plain:1";
            build(request(storeA, SINGLE, new ArrayList<>())
                    .output(BuildOutput.parse("type=image,name=" + image + ",push=true")));
            List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
            BuildResult b = build(request(storeB, SINGLE, events).cacheFrom(CacheSource.parse(image)));
            assertFalse(executed(b).isEmpty(), "nothing to hit");
            assertTrue(warnings(events).stream().anyMatch(w -> w.contains("without a wharf inline cache")
                    && w.contains("BUILDKIT_INLINE_CACHE=1")), warnings(events).toString());
        }
    }

    @Test
    void localCache_roundTripsThroughAnOciLayoutDirectory() throws Exception {
        Path dir = temp.resolve("cache-dir");
        BuildResult a = build(request(storeA, SINGLE, new ArrayList<>())
                .cacheTo(CacheDestination.parse("type=local,dest=" + dir + ",mode=max")));
        assertTrue(Files.isRegularFile(dir.resolve("index.json")) && Files.isRegularFile(dir.resolve("oci-layout")));
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult b = build(request(storeB, SINGLE, events).cacheFrom(CacheSource.parse("type=local,src=" + dir)));
        assertFullyCachedCopy(a, b, events, storeB);
    }

    @Test
    void modeMin_exportsOnlyTheFinalStagesSteps_andModeMaxEveryStage() throws Exception {
        Path min = temp.resolve("cache-min");
        Path max = temp.resolve("cache-max");
        BuildResult a = build(request(storeA, MULTI, new ArrayList<>())
                .cacheTo(CacheDestination.parse("type=local,dest=" + min))
                .cacheTo(CacheDestination.parse("type=local,dest=" + max + ",mode=max")));

        BuildResult fromMin = build(request(storeB, MULTI, new ArrayList<>())
                .cacheFrom(CacheSource.local(min)));
        // The tools stage is not in a min cache: its RUNs run again; its output /tool is the same, so the final
        // stage's COPY --from (keyed by content) and RUN still hit.
        assertEquals(List.of("RUN echo tool > /tool", "RUN date +%N > /tool-stamp"), executed(fromMin));
        assertEquals(a.imageId(), fromMin.imageId());

        Path storeC = temp.resolve("store-c");
        // A base image with other layers (one more file), whatever the tarballs' file times: nothing can hit.
        Path dirC = Files.createDirectories(temp.resolve("busybox-c"));
        Path tarC = BusyboxTarball.write(dirC);
        Files.writeString(dirC.resolve("another-base"), "C\n");
        Process append = new ProcessBuilder("tar", "-rf", tarC.toString(), "-C", dirC.toString(), "another-base")
                .redirectErrorStream(true).start();
        assertEquals(0, append.waitFor(), new String(append.getInputStream().readAllBytes()));
        try (BuildEngine importer = BuildEngine.create(EngineOptions.of(storeC).withClock(
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)))) {
            importer.importImage(tarC, "busybox:latest");
        }
        BuildResult other = build(request(storeC, MULTI, new ArrayList<>()).cacheFrom(CacheSource.local(max)));
        assertEquals(4, executed(other).size(), "RUN, RUN, COPY, RUN: " + other.steps());

        Path storeD = temp.resolve("store-d");
        copyBase(storeD);
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult fromMax = build(request(storeD, MULTI, events).cacheFrom(CacheSource.local(max)));
        assertFullyCachedCopy(a, fromMax, events, storeD);
    }

    /** Imports the same base image as stores A and B into {@code store}. */
    private void copyBase(Path store) throws Exception {
        Path tar = temp.resolve("busybox/busybox.tar");
        try (BuildEngine importer = BuildEngine.create(EngineOptions.of(store).withClock(
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)))) {
            importer.importImage(tar, "busybox:latest");
        }
    }

    @Test
    void importIsLazy_onlyTheLayersOfHitsThatAreNeededAreFetched() throws Exception {
        Path dir = temp.resolve("cache-dir");
        BuildResult a = build(request(storeA, SINGLE, new ArrayList<>())
                .cacheTo(CacheDestination.parse("type=local,dest=" + dir)));
        // Same first RUN, then something else: only the first RUN's layer is needed, to run the next step on.
        String changed = "FROM busybox:latest\nRUN date +%N > /a && echo first\nRUN echo other > /other\n";
        BuildResult b = build(request(storeB, changed, new ArrayList<>()).cacheFrom(CacheSource.local(dir)));
        assertEquals(List.of("RUN echo other > /other"), executed(b));
        assertEquals(exported(a).get(1), b.layers().get(1), "the first RUN's layer came from the cache");
        LocalStore store = LocalStore.open(storeB);
        for (BuildResult.Layer layer : exported(a).subList(2, a.layers().size())) {
            assertFalse(store.blobs().exists(Digest.parse(layer.digest())),
                    "a layer no step needed was not fetched: " + layer.digest());
        }
    }

    @Test
    void missingOrCorruptCacheSources_failTheirSteps_andTheBuildRunsNormally() throws Exception {
        Path corrupt = Files.createDirectories(temp.resolve("corrupt"));
        Files.writeString(corrupt.resolve("index.json"), "{not json");
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
            BuildResult b = build(request(storeB, SINGLE, events)
                    .cacheFrom(CacheSource.registry(registry.host() + "/app/cache:absent"))
                    .cacheFrom(CacheSource.local(temp.resolve("does-not-exist")))
                    .cacheFrom(CacheSource.local(corrupt)));
            assertEquals(4, executed(b).size(), "RUN, WORKDIR, COPY, RUN ran: " + b.steps());
            List<String> warnings = warnings(events);
            assertEquals(2, warnings.size(), warnings.toString());
            assertEquals(3, events.stream().filter(e -> e instanceof BuildEvent.StepFailed).count(),
                    "each unreadable source is a failed progress step: " + events);
            // The absent registry cache only fails its step, as BuildKit's importer; the local ones also warn.
            assertTrue(warnings.get(0).contains("does-not-exist"), warnings.get(0));
            assertTrue(warnings.get(1).contains("corrupt"), warnings.get(1));
        }
    }

    @Test
    void failedExport_failsTheBuild_unlessIgnoreError() throws Exception {
        int port = LocalRegistry.freePort();
        String ref = "127.0.0.1:" + port + "/app/cache";
        ExecutionException e = assertThrows(ExecutionException.class, () -> build(request(storeA, SINGLE,
                new ArrayList<>()).cacheTo(CacheDestination.parse("type=registry,ref=" + ref))));
        EngineException cause = assertInstanceOf(EngineException.class, e.getCause());
        assertTrue(cause.getMessage().contains("cannot export the build cache to registry " + ref),
                cause.getMessage());
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult ok = build(request(storeA, SINGLE, events)
                .cacheTo(CacheDestination.parse("type=registry,ref=" + ref + ",ignore-error=true")));
        assertNotEquals("", ok.imageDigest());
        assertEquals(1, warnings(events).size(), warnings(events).toString());
    }
}
