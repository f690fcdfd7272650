package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.cache.CacheArtifact;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.remote.InlineCache;
import dev.wharf.layers.Digest;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.registry.LocalRegistry;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SOURCE_DATE_EPOCH is no cache key input (issue #6 kept: with it, the same digest on any machine, layer times
 * clamped): a build with a new epoch hits every step and gives the image a fresh build with that epoch gives on
 * another machine (a second store root with the same base image), also with an inline cache; a step that reads
 * the epoch as a build ARG still runs again; {@code --explain-cache} names no epoch; exported caches keep the
 * unclamped layers, so a third machine importing one gets any epoch's image.
 */
class SourceDateEpochCacheTest {
    private static final long E1 = 1_700_000_000L;
    private static final long E2 = 1_700_000_100L;
    private static final long E3 = 1_700_000_200L;
    /** Several filesystem steps of every kind and stages; each one's content is the same wherever it runs. */
    private static final String DOCKERFILE = """
            FROM busybox:latest AS tools
            RUN mkdir -p /out && echo tool > /out/tool
            FROM busybox:latest
            WORKDIR /app
            COPY f.txt .
            COPY --from=tools /out /app/tools
            RUN echo built > /app/built && mkdir /app/d && touch /app/d/empty
            ADD f.txt /app/added
            LABEL stage=final
            RUN rm /app/f.txt
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
        storeA = temp.resolve("store-a");
        storeB = temp.resolve("store-b");
        for (Path store : List.of(storeA, storeB)) {
            importBase(store);
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

    /** The same base image on every "machine": the same tarball imported at the same time gives the same digest. */
    private void importBase(Path store) throws Exception {
        Path dir = temp.resolve("busybox");
        Path tar = Files.exists(dir.resolve("busybox.tar")) ? dir.resolve("busybox.tar")
                : BusyboxTarball.write(Files.createDirectories(dir));
        try (BuildEngine importer = BuildEngine.create(EngineOptions.of(store).withClock(
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)))) {
            importer.importImage(tar, "busybox:latest");
        }
    }

    private BuildRequest.Builder request(Path store, String dockerfile, long epoch, List<BuildEvent> events) {
        return BuildRequest.builder(context).dockerfileText(dockerfile).storeRoot(store).sourceDateEpoch(epoch)
                .tag("app:latest").listener(events::add);
    }

    private BuildResult build(BuildRequest.Builder request) throws Exception {
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    private static List<String> executed(BuildResult result) {
        return result.steps().stream().filter(s -> !s.cached() && !s.name().startsWith("FROM "))
                .map(BuildResult.StepTiming::name).toList();
    }

    /** Every entry's modification time in the layers after the base's, by layer and name. */
    private static Map<String, Long> times(Path store, BuildResult result) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        LocalStore local = LocalStore.open(store);
        for (BuildResult.Layer layer : result.layers().subList(1, result.layers().size())) {
            try (InputStream in = Decompressors.open(local.blobs().open(Digest.parse(layer.digest())))) {
                TarReader tar = new TarReader(in);
                for (Optional<TarEntry> e = tar.next(); e.isPresent(); e = tar.next()) {
                    out.put(layer.diffId() + " " + e.get().name(), e.get().mtime());
                }
            }
        }
        return out;
    }

    /** The records of wharf's inline cache in an image config, and its rootfs diff IDs. */
    private static List<CacheRecord> inlineRecords(String config, Set<String> diffIds) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode node = json.readTree(config);
        node.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
        return CacheArtifact.readConfig(json.writeValueAsBytes(node.path(InlineCache.CONFIG_FIELD)), "test");
    }

    @Test
    void aNewEpoch_hitsEveryStep_andGivesTheImageAFreshBuildWithItGivesOnAnotherMachine() throws Exception {
        BuildResult first = build(request(storeA, DOCKERFILE, E1, new ArrayList<>()));
        assertEquals(7, executed(first).size(), first.steps().toString());
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult cached = build(request(storeA, DOCKERFILE, E2, events).explainCache(true));
        assertEquals(List.of(), executed(cached), "a new epoch reruns nothing");
        assertFalse(events.stream().anyMatch(e -> e instanceof BuildEvent.StepCacheMiss), events.toString());
        BuildResult fresh = build(request(storeB, DOCKERFILE, E2, new ArrayList<>()));
        assertEquals(7, executed(fresh).size(), fresh.steps().toString());
        assertEquals(fresh.imageDigest(), cached.imageDigest(), "cached and fresh builds with E2: one image");
        assertEquals(fresh.layers(), cached.layers());
        assertNotEquals(first.imageDigest(), cached.imageDigest(), "the epoch dates the image and clamps its layers");
        assertTrue(cached.config().contains("\"created\":\"2023-11-14T22:15:00Z\""), cached.config());
        // The files were made after E2: every entry of the build's layers is clamped to it, whiteouts dated at it.
        Map<String, Long> times = times(storeA, cached);
        assertTrue(times.values().stream().allMatch(t -> t == E2), times.toString());
        assertTrue(times.keySet().stream().anyMatch(n -> n.endsWith(" app/.wh.f.txt")), times.toString());

        // The epoch that first built the steps again: the first image, its clamped layers remembered, not rewritten.
        Map<Path, Object> clampRecords = files(storeA.resolve("clamped"));
        assertEquals(2 * 6, clampRecords.size(), "per epoch, the final image's layers of WORKDIR, COPY, COPY --from, "
                + "RUN, ADD and RUN: " + clampRecords.keySet());
        BuildResult again = build(request(storeA, DOCKERFILE, E1, new ArrayList<>()));
        assertEquals(List.of(), executed(again));
        assertEquals(first.imageDigest(), again.imageDigest());
        assertEquals(clampRecords, files(storeA.resolve("clamped")), "the same record files: nothing clamped again");
    }

    /** Each file under {@code dir} with its inode and modification time: equal only for untouched files. */
    private static Map<Path, Object> files(Path dir) throws Exception {
        Map<Path, Object> out = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.put(p.getFileName(), a.fileKey() + " " + a.lastModifiedTime());
            }
        }
        return out;
    }

    @Test
    void rewriteTimestampFalse_keepsTheFilesTimes_andDatesOnlyTheConfig_whileTrueIsTheDefault() throws Exception {
        String dockerfile = "FROM busybox:latest\nCOPY f.txt /f.txt\n";
        BuildResult kept = build(request(storeA, dockerfile, E1, new ArrayList<>())
                .output(BuildOutput.parse("type=image,rewrite-timestamp=false")));
        Map<String, Long> times = times(storeA, kept);
        assertTrue(times.values().stream().anyMatch(t -> t > E1), "the COPY keeps the file's time: " + times);
        assertTrue(kept.config().contains("\"created\":\"2023-11-14T22:13:20Z\""), kept.config());
        assertFalse(Files.exists(storeA.resolve("clamped")), "nothing clamped");

        BuildResult clamped = build(request(storeA, dockerfile, E1, new ArrayList<>())
                .output(BuildOutput.parse("type=image,rewrite-timestamp=true")));
        assertTrue(times(storeA, clamped).values().stream().allMatch(t -> t == E1));
        assertNotEquals(kept.imageDigest(), clamped.imageDigest());
        BuildResult byDefault = build(request(storeA, dockerfile, E1, new ArrayList<>()));
        assertEquals(clamped.imageDigest(), byDefault.imageDigest(), "wharf clamps by default (issue #6)");

        java.util.concurrent.ExecutionException mixed = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> build(request(storeA, dockerfile, E1,
                        new ArrayList<>()).output(BuildOutput.parse("type=image,rewrite-timestamp=false"))
                        .output(BuildOutput.parse("type=oci,dest=" + temp.resolve("o.tar")))));
        assertTrue(mixed.getCause().getMessage().contains("rewrite-timestamp=true and rewrite-timestamp=false"),
                mixed.getCause().getMessage());
    }

    @Test
    void aStepReadingTheEpochAsABuildArg_runsAgainWhenItChanges() throws Exception {
        String dockerfile = """
                FROM busybox:latest
                COPY f.txt /f
                ARG SOURCE_DATE_EPOCH
                RUN echo "$SOURCE_DATE_EPOCH" > /epoch
                """;
        build(request(storeA, dockerfile, E1, new ArrayList<>()));
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult second = build(request(storeA, dockerfile, E2, events).explainCache(true));
        assertEquals(List.of("RUN echo \"$SOURCE_DATE_EPOCH\" > /epoch"), executed(second),
                "the COPY does not read it and hits; the RUN does");
        List<String> reasons = events.stream().filter(e -> e instanceof BuildEvent.StepCacheMiss)
                .flatMap(e -> ((BuildEvent.StepCacheMiss) e).reasons().stream()).toList();
        assertTrue(reasons.stream().anyMatch(r -> r.contains("SOURCE_DATE_EPOCH")), reasons.toString());
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, engine.run("app:latest", List.of("cat", "/epoch"), (stream, line) -> out.add(line)));
        assertEquals(List.of(Long.toString(E2)), out);
    }

    @Test
    void explainCache_namesTheChangedFile_andNoEpoch() throws Exception {
        build(request(storeA, DOCKERFILE, E1, new ArrayList<>()));
        Files.writeString(context.resolve("f.txt"), "changed\n");
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult second = build(request(storeA, DOCKERFILE, E2, events).explainCache(true));
        assertEquals(List.of("COPY f.txt .", "COPY --from=tools /out /app/tools",
                "RUN echo built > /app/built && mkdir /app/d && touch /app/d/empty", "ADD f.txt /app/added",
                "RUN rm /app/f.txt"), executed(second));
        List<String> reasons = events.stream().filter(e -> e instanceof BuildEvent.StepCacheMiss)
                .flatMap(e -> ((BuildEvent.StepCacheMiss) e).reasons().stream()).toList();
        assertFalse(reasons.isEmpty());
        assertTrue(reasons.stream().noneMatch(r -> r.contains("SOURCE_DATE_EPOCH") || r.contains("sourceDateEpoch")
                || r.contains("epoch")), reasons.toString());
    }

    @Test
    void inlineCache_namesTheClampedLayers_andACachedBuildCarriesTheFreshBuildsCache() throws Exception {
        build(request(storeA, DOCKERFILE, E1, new ArrayList<>()));
        BuildResult cached = build(request(storeA, DOCKERFILE, E2, new ArrayList<>())
                .buildArg("BUILDKIT_INLINE_CACHE", "1"));
        assertEquals(List.of(), executed(cached));
        BuildResult fresh = build(request(storeB, DOCKERFILE, E2, new ArrayList<>())
                .buildArg("BUILDKIT_INLINE_CACHE", "1"));
        assertEquals(fresh.config(), cached.config(), "the same records, dated and named as the fresh build's");
        assertEquals(fresh.imageDigest(), cached.imageDigest());
        Set<String> diffIds = new HashSet<>();
        List<CacheRecord> records = inlineRecords(cached.config(), diffIds);
        assertEquals(6, records.size(), "the final stage's filesystem steps: " + records);
        for (CacheRecord record : records) {
            for (LayerBlob layer : record.result().layers()) {
                assertTrue(diffIds.contains(layer.diffId().toString()), "a layer of the image: " + layer);
            }
        }
    }

    @Test
    void pushedInlineCache_givesAnotherMachineTheSameImageWithTheSameEpoch() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            String image = registry.host() + "/app/inline:1";
            BuildResult a = build(request(storeA, DOCKERFILE, E1, new ArrayList<>())
                    .buildArg("BUILDKIT_INLINE_CACHE", "1")
                    .output(BuildOutput.parse("type=image,name=" + image + ",push=true")));
            BuildResult b = build(request(storeB, DOCKERFILE, E1, new ArrayList<>()).cacheFrom(CacheSource.parse(image))
                    .buildArg("BUILDKIT_INLINE_CACHE", "1"));
            assertEquals(List.of("RUN mkdir -p /out && echo tool > /out/tool"), executed(b),
                    "the final stage's steps hit the pushed image's records (mode=min: not the tools stage's)");
            // The hits' layers are the pushed, clamped ones; clamping them again to the same epoch changes nothing:
            // the same layers and config (A's result names its pushed, compressed layers, so compare diff IDs).
            assertEquals(a.layers().stream().map(BuildResult.Layer::diffId).toList(),
                    b.layers().stream().map(BuildResult.Layer::diffId).toList());
            assertEquals(a.imageId(), b.imageId());
        }
    }

    @Test
    void anExportedCache_keepsTheLayersUnclamped_soAnotherMachineGetsAnyEpochsImage() throws Exception {
        Path dir = temp.resolve("cache-dir");
        build(request(storeA, DOCKERFILE, E1, new ArrayList<>())
                .cacheTo(CacheDestination.parse("type=local,dest=" + dir + ",mode=max")));
        BuildResult inA = build(request(storeA, DOCKERFILE, E3, new ArrayList<>()));
        BuildResult inB = build(request(storeB, DOCKERFILE, E3, new ArrayList<>()).cacheFrom(CacheSource.local(dir)));
        assertEquals(List.of(), executed(inB), "every step is a hit of the imported cache");
        assertEquals(inA.imageDigest(), inB.imageDigest(), "the E1 build's cache gives the E3 image");
        Map<String, Long> times = times(storeB, inB);
        assertTrue(times.values().stream().allMatch(t -> t == E3), times.toString());
    }

    @Test
    void filesOnlyOutputsClampNothing_anImageOutputDoes() throws Exception {
        String dockerfile = "FROM busybox:latest\nCOPY f.txt /copied.txt\nRUN echo ran > /ran.txt\n";
        Path clamped = storeA.resolve("clamped");
        Path local = temp.resolve("local-out");
        BuildResult files = build(request(storeA, dockerfile, E1, new ArrayList<>())
                .output(BuildOutput.parse("type=local,dest=" + local))
                .output(BuildOutput.parse("type=tar,dest=" + temp.resolve("out.tar"))));
        assertEquals(List.of("COPY f.txt /copied.txt", "RUN echo ran > /ran.txt"), executed(files));
        assertEquals("ran\n", Files.readString(local.resolve("ran.txt")), "the files are exported");
        assertFalse(Files.exists(clamped) && !records(clamped).isEmpty(),
                "local and tar outputs use no clamped layer: none is made or recorded");
        // The same build to the image store clamps both of its layers (so the assertion above can fail).
        build(request(storeA, dockerfile, E1, new ArrayList<>()));
        assertEquals(2, records(clamped).size());
    }

    private static List<Path> records(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
