package dev.wharf.cache;

import static dev.wharf.cache.TestSteps.copy;
import static dev.wharf.cache.TestSteps.digestOf;
import static dev.wharf.cache.TestSteps.layer;
import static dev.wharf.cache.TestSteps.result;
import static dev.wharf.cache.TestSteps.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import dev.wharf.layers.layer.LayerBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link CacheStore} must have, run against each implementation by a subclass that supplies a
 * fresh, empty store reading the given clock.
 */
abstract class CacheStoreContractTest {
    static final Instant START = Instant.parse("2026-01-02T03:04:05Z");

    MutableClock clock;
    CacheStore store;

    /** Returns an empty store that reads time from {@code clock}. */
    abstract CacheStore newStore(MutableClock clock) throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        clock = new MutableClock(START);
        store = newStore(clock);
    }

    @Test
    void lookup_missesOnAnEmptyStore() throws Exception {
        assertEquals(Optional.empty(), store.lookup(run(0, "make").build().key()));
        assertEquals(Set.of(), store.referencedBlobs());
    }

    @Test
    void save_thenLookup_returnsTheInputsAndResult() throws Exception {
        CacheKeyInputs inputs = run(0, "make").buildArg("V", "1").checksum("src", digestOf("x")).build();
        StepResult result = result("a", "b");
        CacheRecord saved = store.save(inputs, result);
        assertEquals(inputs.key(), saved.key());
        assertEquals(START, saved.created());

        CacheRecord found = store.lookup(inputs.key()).orElseThrow();
        assertEquals(inputs, found.inputs());
        assertEquals(result, found.result());
        assertEquals(inputs.key(), found.key());
        assertEquals(KeyFormat.VERSION, found.keyVersion());
        assertEquals(START, found.created());
    }

    @Test
    void lookup_marksTheRecordUsedNowAndKeepsItsCreationTime() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        store.save(inputs, result("a"));
        clock.advance(Duration.ofHours(5));
        CacheRecord found = store.lookup(inputs.key()).orElseThrow();
        assertEquals(START, found.created());
        assertEquals(START.plus(Duration.ofHours(5)), found.lastUsed());
        // Being used protects it from an age-based prune.
        clock.advance(Duration.ofHours(1));
        assertEquals(List.of(), store.prune(PruneOptions.olderThan(Duration.ofHours(2))).removed());
    }

    @Test
    void importRecord_keepsTheImportedCreationTime_andIsFoundByItsKey() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        Instant elsewhere = Instant.parse("2025-05-05T05:05:05.123456789Z");
        CacheRecord imported = CacheRecord.create(inputs, result("remote"), elsewhere);
        clock.advance(Duration.ofHours(1));
        CacheRecord saved = store.importRecord(imported);
        assertEquals(elsewhere, saved.created());
        assertEquals(START.plus(Duration.ofHours(1)), saved.lastUsed());
        CacheRecord found = store.lookup(inputs.key()).orElseThrow();
        assertEquals(elsewhere, found.created());
        assertEquals(result("remote"), found.result());
        assertEquals(Set.of(layer("remote", 100).descriptor()), store.referencedBlobs());
    }

    @Test
    void save_ofTheSameKeyReplacesTheRecord() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        store.save(inputs, result("old"));
        clock.advance(Duration.ofMinutes(1));
        store.save(inputs, result("new"));
        CacheRecord found = store.lookup(inputs.key()).orElseThrow();
        assertEquals(result("new"), found.result());
        assertEquals(START.plus(Duration.ofMinutes(1)), found.created());
        assertEquals(Set.of(layer("new", 100).descriptor()), store.referencedBlobs());
    }

    @Test
    void metadataOnlyStep_keepsItsConfigExactly() throws Exception {
        CacheKeyInputs inputs = CacheKeyInputs.builder(StepIdentity.of("Dockerfile#0#2"), StepParent.scratch(),
                "ENV").instruction("env", "GREETING=grüß dich 😀").platform(TestSteps.AMD64).build();
        String config = "{ \"Env\" : [\"GREETING=grüß dich 😀\", \"TAB=\\t\"],\n  \"n\": 1.50 }";
        store.save(inputs, StepResult.metadataOnly(config));
        CacheRecord found = store.lookup(inputs.key()).orElseThrow();
        assertTrue(found.result().isMetadataOnly());
        assertEquals(config, found.result().config());
        assertEquals(0, found.layerBytes());
    }

    @Test
    void save_keepsUnusualTextExactly() throws Exception {
        String odd = "tab\t nul\u0000 quote\" backslash\\ ü 😀 cr\r del\u007f bom\ufeff nbsp\u00a0 ls\u2028 end";
        CacheKeyInputs inputs = run(0, odd).buildArg(odd, odd).instruction(odd, odd, "")
                .checksum(odd, digestOf(odd)).build();
        store.save(inputs, StepResult.metadataOnly(odd));
        CacheRecord found = store.lookup(inputs.key()).orElseThrow();
        assertEquals(inputs, found.inputs());
        assertEquals(odd, found.result().config());
    }

    @Test
    void explainMiss_saysNeverBuiltForANewStep() throws Exception {
        MissExplanation explanation = store.explainMiss(run(0, "make").build());
        assertEquals(CacheMissReason.NEVER_BUILT, explanation.reason());
        assertEquals(Optional.empty(), explanation.previous());
        assertEquals(List.of("never built before"), explanation.lines());
    }

    @Test
    void explainMiss_ignoresOtherStepIdentities() throws Exception {
        store.save(run(1, "make").build(), result("a"));
        assertEquals(CacheMissReason.NEVER_BUILT, store.explainMiss(run(0, "make test").build()).reason());
    }

    @Test
    void explainMiss_saysCachedWhenTheKeyHasARecord() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        store.save(inputs, result("a"));
        MissExplanation explanation = store.explainMiss(inputs);
        assertEquals(CacheMissReason.CACHED, explanation.reason());
        assertFalse(explanation.reason().isMiss());
        assertEquals(inputs.key(), explanation.previous().orElseThrow().key());
    }

    @Test
    void explainMiss_reportsAChangedInstructionWithOldAndNewText() throws Exception {
        store.save(run(0, "make").build(), result("a"));
        MissExplanation explanation = store.explainMiss(run(0, "make test").build());
        assertEquals(List.of(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, "cmd", "RUN make",
                "RUN make test")), explanation.changes());
        assertEquals("instruction changed (cmd): was `RUN make`, now `RUN make test`", explanation.toString());
    }

    @Test
    void explainMiss_reportsAChangedKindAsAnInstructionChange() throws Exception {
        CacheKeyInputs before = run(0, "make").build();
        store.save(before, result("a"));
        MissExplanation explanation = store.explainMiss(before.toBuilder().kind("ADD").build());
        assertEquals(CacheMissReason.INSTRUCTION_CHANGED, explanation.reason());
        assertEquals("kind", explanation.changes().get(0).subject());
    }

    @Test
    void explainMiss_reportsAChangedAddedAndRemovedBuildArg() throws Exception {
        store.save(run(0, "make").buildArg("VERSION", "1").buildArg("OLD", "x").build(), result("a"));
        MissExplanation explanation = store.explainMiss(
                run(0, "make").buildArg("VERSION", "2").buildArg("NEW", "y").build());
        assertEquals(List.of(
                new InputChange(CacheMissReason.BUILD_ARG_CHANGED, "NEW", null, "y"),
                new InputChange(CacheMissReason.BUILD_ARG_CHANGED, "OLD", "x", null),
                new InputChange(CacheMissReason.BUILD_ARG_CHANGED, "VERSION", "1", "2")), explanation.changes());
        assertEquals(List.of("ARG NEW is new: \"y\"", "ARG OLD is no longer used (was \"x\")",
                "ARG VERSION changed: \"1\" -> \"2\""), explanation.lines());
    }

    @Test
    void explainMiss_reportsAChangedFileChecksum() throws Exception {
        CacheKey parent = run(0, "make").build().key();
        store.save(copy(1, parent, "app.jar", "v1").build(), result("a"));
        MissExplanation explanation = store.explainMiss(copy(1, parent, "app.jar", "v2").build());
        assertEquals(List.of(new InputChange(CacheMissReason.CONTENT_CHANGED, "app.jar", digestOf("v1").toString(),
                digestOf("v2").toString())), explanation.changes());
        assertTrue(explanation.toString().startsWith("content of app.jar changed: "), explanation.toString());
    }

    @Test
    void explainMiss_reportsAChangedPlatform() throws Exception {
        store.save(run(0, "make").build(), result("a"));
        MissExplanation explanation = store.explainMiss(
                run(0, "make").platform(Platform.of("linux", "arm64").withVariant("v8")).build());
        assertEquals(List.of(new InputChange(CacheMissReason.PLATFORM_CHANGED, "", "linux/amd64",
                "linux/arm64/v8")), explanation.changes());
    }

    @Test
    void explainMiss_reportsAChangedParentStepAsUpstream() throws Exception {
        CacheKey oldParent = run(0, "make").build().key();
        CacheKey newParent = run(0, "make test").build().key();
        store.save(copy(1, oldParent, "app.jar", "v1").build(), result("a"));
        MissExplanation explanation = store.explainMiss(copy(1, newParent, "app.jar", "v1").build());
        assertEquals(CacheMissReason.PARENT_CHANGED, explanation.reason());
        assertTrue(explanation.reason().upstream());
        assertEquals(List.of("previous step changed"), explanation.lines());
        assertEquals("step " + oldParent, explanation.changes().get(0).before());
    }

    @Test
    void explainMiss_reportsAChangedBaseImage() throws Exception {
        store.save(run(0, "make").build(), result("a"));
        Digest newBase = digestOf("new base");
        MissExplanation explanation = store.explainMiss(run(0, "make").parent(StepParent.image(newBase)).build());
        assertEquals(List.of(new InputChange(CacheMissReason.BASE_IMAGE_CHANGED, "",
                "image " + TestSteps.BASE, "image " + newBase)), explanation.changes());
        assertFalse(explanation.reason().upstream());
    }

    @Test
    void explainMiss_listsEveryChangeWithLocalCausesBeforeTheParent() throws Exception {
        CacheKey oldParent = run(0, "make").build().key();
        CacheKey newParent = run(0, "make test").build().key();
        store.save(copy(1, oldParent, "app.jar", "v1").buildArg("A", "1").build(), result("a"));
        MissExplanation explanation = store.explainMiss(copy(1, newParent, "app.jar", "v2").buildArg("A", "2")
                .instruction("dest", "/srv/").platform(Platform.of("linux", "arm64")).build());
        assertEquals(List.of(CacheMissReason.INSTRUCTION_CHANGED, CacheMissReason.PLATFORM_CHANGED,
                CacheMissReason.BUILD_ARG_CHANGED, CacheMissReason.CONTENT_CHANGED, CacheMissReason.PARENT_CHANGED),
                explanation.changes().stream().map(InputChange::reason).toList());
        assertEquals(CacheMissReason.INSTRUCTION_CHANGED, explanation.reason());
        assertTrue(explanation.has(CacheMissReason.PARENT_CHANGED));
    }

    @Test
    void explainMiss_comparesWithTheMostRecentlyUsedBuildOfTheStep() throws Exception {
        CacheKeyInputs v1 = run(0, "make").buildArg("V", "1").build();
        CacheKeyInputs v2 = run(0, "make").buildArg("V", "2").build();
        store.save(v1, result("a"));
        clock.advance(Duration.ofMinutes(1));
        store.save(v2, result("b"));
        MissExplanation explanation = store.explainMiss(run(0, "make").buildArg("V", "3").build());
        assertEquals(v2.key(), explanation.previous().orElseThrow().key());
        assertEquals("2", explanation.changes().get(0).before());

        clock.advance(Duration.ofMinutes(1));
        store.lookup(v1.key()).orElseThrow(); // building v1 again makes it the last build of the step
        explanation = store.explainMiss(run(0, "make").buildArg("V", "3").build());
        assertEquals(v1.key(), explanation.previous().orElseThrow().key());
    }

    @Test
    void referencedBlobs_listsEveryLayerOnce() throws Exception {
        store.save(run(0, "a").build(), result("shared", "one"));
        store.save(run(1, "b").build(), result("shared", "two"));
        store.save(run(2, "c").build(), StepResult.metadataOnly("{}"));
        assertEquals(Set.of(layer("shared", 100).descriptor(), layer("one", 100).descriptor(),
                layer("two", 100).descriptor()), store.referencedBlobs());
        assertEquals(3, store.gcRoots().roots().size());
    }

    @Test
    void prune_olderThan_removesOnlyRecordsUnusedForThatLongAndReturnsTheirUnsharedBlobs() throws Exception {
        CacheKeyInputs old = run(0, "old").build();
        CacheKeyInputs fresh = run(1, "fresh").build();
        store.save(old, result("shared", "oldOnly"));
        clock.advance(Duration.ofDays(3));
        store.save(fresh, result("shared", "freshOnly"));
        clock.advance(Duration.ofDays(1));

        PruneResult pruned = store.prune(PruneOptions.olderThan(Duration.ofDays(2)));
        assertEquals(List.of(old.key()), pruned.removed());
        assertEquals(List.of(layer("oldOnly", 100).descriptor()), pruned.unreferencedBlobs());
        assertEquals(100, pruned.freedBytes());
        assertEquals(200, pruned.remainingBytes());
        assertEquals(Optional.empty(), store.lookup(old.key()));
        assertTrue(store.lookup(fresh.key()).isPresent());
        assertEquals(CacheMissReason.NEVER_BUILT, store.explainMiss(old).reason());
    }

    @Test
    void prune_keepStorage_removesLeastRecentlyUsedFirstUntilUnderTheLimit() throws Exception {
        List<CacheKeyInputs> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CacheKeyInputs inputs = run(i, "step " + i).build();
            steps.add(inputs);
            store.save(inputs, StepResult.of(List.of(layer("L" + i, 1000)), "{}"));
            clock.advance(Duration.ofMinutes(1));
        }
        store.lookup(steps.get(0).key()).orElseThrow(); // now the most recently used
        PruneResult pruned = store.prune(PruneOptions.keepStorage(2500));
        assertEquals(Set.of(steps.get(1).key(), steps.get(2).key()), Set.copyOf(pruned.removed()));
        assertEquals(2000, pruned.freedBytes());
        assertEquals(2000, pruned.remainingBytes());
        assertTrue(store.lookup(steps.get(0).key()).isPresent());
        assertTrue(store.lookup(steps.get(3).key()).isPresent());
    }

    @Test
    void prune_keepStorage_countsASharedBlobOnceAndFreesItOnlyWithItsLastRecord() throws Exception {
        CacheKeyInputs a = run(0, "a").build();
        CacheKeyInputs b = run(1, "b").build();
        store.save(a, StepResult.of(List.of(layer("shared", 1000)), "{}"));
        clock.advance(Duration.ofMinutes(1));
        store.save(b, StepResult.of(List.of(layer("shared", 1000), layer("small", 10)), "{}"));
        // Total is 1010 bytes (shared counted once). Removing a frees nothing, so b must go too to reach 500.
        PruneResult pruned = store.prune(PruneOptions.keepStorage(500));
        assertEquals(List.of(a.key(), b.key()).stream().sorted().toList(), pruned.removed());
        assertEquals(Set.of(layer("shared", 1000).descriptor(), layer("small", 10).descriptor()),
                Set.copyOf(pruned.unreferencedBlobs()));
        assertEquals(1010, pruned.freedBytes());
        assertEquals(0, pruned.remainingBytes());
    }

    @Test
    void prune_keepStorageWithAge_onlyRemovesOldRecords() throws Exception {
        CacheKeyInputs old = run(0, "old").build();
        CacheKeyInputs fresh = run(1, "fresh").build();
        store.save(old, StepResult.of(List.of(layer("old", 1000)), "{}"));
        clock.advance(Duration.ofDays(3));
        store.save(fresh, StepResult.of(List.of(layer("fresh", 1000)), "{}"));
        PruneResult pruned = store.prune(PruneOptions.keepStorage(0).withOlderThan(Duration.ofDays(1)));
        assertEquals(List.of(old.key()), pruned.removed());
        assertEquals(1000, pruned.remainingBytes());
    }

    @Test
    void prune_keepStorageAlreadyMet_removesNothing() throws Exception {
        store.save(run(0, "a").build(), result("a"));
        PruneResult pruned = store.prune(PruneOptions.keepStorage(100));
        assertEquals(List.of(), pruned.removed());
        assertEquals(100, pruned.remainingBytes());
    }

    @Test
    void prune_everything_removesAllRecordsAndReturnsAllBlobs() throws Exception {
        store.save(run(0, "a").build(), result("x", "y"));
        store.save(run(1, "b").build(), StepResult.metadataOnly("{}"));
        PruneResult pruned = store.prune(PruneOptions.everything());
        assertEquals(2, pruned.removed().size());
        assertEquals(List.of(layer("x", 100).descriptor(), layer("y", 100).descriptor()).stream()
                .sorted(java.util.Comparator.comparing(Descriptor::digest)).toList(), pruned.unreferencedBlobs());
        assertEquals(Set.of(), store.referencedBlobs());
        assertEquals(CacheMissReason.NEVER_BUILT, store.explainMiss(run(0, "a").build()).reason());
    }

    @Test
    void prune_withoutACriterion_removesNothing() throws Exception {
        store.save(run(0, "a").build(), result("x"));
        PruneResult pruned = store.prune(new PruneOptions(false, Optional.empty(), java.util.OptionalLong.empty()));
        assertEquals(List.of(), pruned.removed());
        assertTrue(store.lookup(run(0, "a").build().key()).isPresent());
    }

    @Test
    @Timeout(60)
    void saves_fromManyThreads_areAllKeptIntact() throws Exception {
        int threads = 8;
        int perThread = 20;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        store.save(run(i, "t" + thread + " i" + i).build(), result("t" + thread + "i" + i));
                        // Every thread also saves one shared key, racing on the same record.
                        store.save(run(99, "shared").build(), result("shared"));
                        store.lookup(run(99, "shared").build().key()).orElseThrow();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                CacheKeyInputs inputs = run(i, "t" + t + " i" + i).build();
                assertEquals(result("t" + t + "i" + i), store.lookup(inputs.key()).orElseThrow().result());
            }
        }
        assertEquals(result("shared"), store.lookup(run(99, "shared").build().key()).orElseThrow().result());
        Set<Digest> blobs = store.referencedBlobs().stream().map(Descriptor::digest).collect(Collectors.toSet());
        assertEquals(threads * perThread + 1, blobs.size());
    }

    @Test
    void layerBlob_detailsSurviveTheRoundTrip() throws Exception {
        LayerBlob layer = new LayerBlob(Descriptor.of("application/vnd.oci.image.layer.v1.tar+zstd",
                digestOf("zstd"), 12345).withAnnotation("org.example", "v"), digestOf("diff"), 99999);
        CacheKeyInputs inputs = run(0, "zstd").build();
        store.save(inputs, StepResult.of(List.of(layer), "{}"));
        LayerBlob found = store.lookup(inputs.key()).orElseThrow().result().layers().get(0);
        assertEquals(layer, found);
        assertNull(found.descriptor().platform());
    }
}
