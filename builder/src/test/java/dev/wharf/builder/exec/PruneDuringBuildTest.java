package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.doctor.StoreDoctor;
import dev.wharf.cache.CacheStore;
import dev.wharf.cache.CacheStoreOptions;
import dev.wharf.cache.FileCacheStore;
import dev.wharf.cache.PruneOptions;
import dev.wharf.cache.PruneResult;
import dev.wharf.layers.store.GcOptions;
import dev.wharf.layers.store.GcReport;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code wharf prune --all} that runs while a build is between a cache hit and the tagging of its image: the hit's
 * layers are older than the build, and prune removes the cache record that named them, yet they must survive.
 * The prune runs on the build's own thread at the hit's {@link BuildEvent.StepCached} event, which makes the
 * interleaving deterministic; it does what {@code PruneCommand} does (cache prune, then a collection keeping what
 * was written since the oldest live user of the store began).
 */
class PruneDuringBuildTest {
    @TempDir
    Path temp;

    @Test
    void aPruneAllBetweenACacheHitAndTheTag_keepsTheReusedOldLayers_andTheBuildTagsItsImage() throws Exception {
        Path root = temp.resolve("store");
        Path context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY app.txt /app.txt\n");
        Files.writeString(context.resolve("app.txt"), "hello\n");
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(root))) {
            engine.build(BuildRequest.builder(context).tag("first").build()).get(2, TimeUnit.MINUTES);
            LocalStore store = LocalStore.open(root);
            // Only the cache record names the layer now, and it was written long before the next build began.
            assertTrue(store.images().untag(ImageName.parse("first")));
            ageBlobs(root, Duration.ofHours(2));

            List<GcReport> prunes = new ArrayList<>();
            List<Exception> failures = new ArrayList<>();
            BuildRequest second = BuildRequest.builder(context).tag("second").listener(event -> {
                if (event instanceof BuildEvent.StepCached && prunes.isEmpty()) {
                    try {
                        prunes.add(pruneAll(root, store));
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            }).build();
            BuildResult result = engine.build(second).get(2, TimeUnit.MINUTES);

            assertEquals(List.of(), failures);
            assertEquals(1, prunes.size(), "the prune ran at the cache hit");
            assertTrue(store.images().resolve(ImageName.parse("second")).isPresent(), String.valueOf(result));
            assertFalse(prunes.get(0).removed().isEmpty(), "the prune collected the first image's old blobs");
            assertEquals(List.of(), prunes.get(0).missing());
        }
    }

    /** What {@code wharf prune --all --grace-period 0s} does. */
    private static GcReport pruneAll(Path root, LocalStore store) throws Exception {
        CacheStore cache = FileCacheStore.open(root.resolve("cache"), CacheStoreOptions.defaults());
        PruneResult pruned = cache.prune(new PruneOptions(true, Optional.empty(), OptionalLong.empty()));
        assertEquals(1, pruned.removed().size(), "the record of the COPY step was pruned");
        Instant since = StoreDoctor.users(root).oldestAliveSince().orElseThrow();
        return store.garbageCollector().collect(GcOptions.defaults().withGracePeriod(Duration.ZERO)
                .withExtraRoots(cache.gcRoots()).withKeepSince(since.minusSeconds(1)));
    }

    private static void ageBlobs(Path root, Duration age) throws Exception {
        FileTime old = FileTime.from(Instant.now().minus(age));
        try (Stream<Path> files = Files.walk(root.resolve("blobs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, old);
            }
        }
    }
}
