package dev.wharf.cache;

import static dev.wharf.cache.TestSteps.result;
import static dev.wharf.cache.TestSteps.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MissExplainerTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void equalInputsUnderAnOlderKeyFormat_areExplainedAsAFormatChange() {
        CacheKeyInputs inputs = run(0, "make").build();
        CacheKey oldKey = CacheKey.of(TestSteps.digestOf("key under the old format"));
        CacheRecord old = new CacheRecord(oldKey, KeyFormat.VERSION + 1, inputs, result("a"), T, T);
        MissExplanation explanation = MissExplainer.explain(inputs, Optional.empty(), List.of(old));
        assertEquals(List.of(new InputChange(CacheMissReason.KEY_FORMAT_CHANGED, "",
                String.valueOf(KeyFormat.VERSION + 1), String.valueOf(KeyFormat.VERSION))), explanation.changes());
        assertEquals("wharf's cache key format changed (version 2 -> 1)", explanation.toString());
    }

    @Test
    void aRecordOfTheSameKeyAmongTheCandidates_meansCached() {
        CacheKeyInputs inputs = run(0, "make").build();
        CacheRecord same = CacheRecord.create(inputs, result("a"), T);
        assertEquals(CacheMissReason.CACHED,
                MissExplainer.explain(inputs, Optional.empty(), List.of(same)).reason());
    }

    @Test
    void aBaseImageReplacedByScratch_isABaseImageChange() {
        CacheKeyInputs before = run(0, "make").build();
        CacheKeyInputs after = before.toBuilder().parent(StepParent.scratch()).build();
        assertEquals(List.of(new InputChange(CacheMissReason.BASE_IMAGE_CHANGED, "", "image " + TestSteps.BASE,
                "scratch")), MissExplainer.diff(before, after));
    }

    @Test
    void fieldsOutsideTheKey_areNotReportedAsChanges() {
        CacheKeyInputs before = run(0, "make").build();
        CacheKeyInputs after = before.toBuilder().text("RUN   make").identity(StepIdentity.of("x")).build();
        assertEquals(List.of(), MissExplainer.diff(before, after));
    }

    @Test
    void anEnvChangeBeforeARun_showsTheChangedEntries_notTheUnchangedText() {
        CacheKeyInputs before = run(0, "make").instruction("env", "PATH=/bin", "E=1").build();
        CacheKeyInputs after = run(0, "make").instruction("env", "PATH=/bin", "E=2").build();
        List<InputChange> changes = MissExplainer.diff(before, after);
        assertEquals(List.of(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, "env", "E=1", "E=2")), changes);
        assertEquals("instruction changed (env): was `E=1`, now `E=2`", changes.get(0).describe());
    }

    @Test
    void anEnvEntryRemoved_showsNoneAfter_notAnEmptyValue() {
        CacheKeyInputs before = run(0, "make").instruction("env", "PATH=/bin", "E=1").build();
        CacheKeyInputs after = run(0, "make").instruction("env", "PATH=/bin").build();
        List<InputChange> changes = MissExplainer.diff(before, after);
        assertEquals(List.of(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, "env", "E=1", "(none)")), changes);
        assertEquals("instruction changed (env): was `E=1`, now `(none)`", changes.get(0).describe());
        assertEquals("instruction changed (env): was `(none)`, now `E=1`",
                MissExplainer.diff(after, before).get(0).describe(), "an entry added: nothing before");
    }

    @Test
    void aFieldGoneAlongsideAnother_showsNoneUnderItsName() {
        CacheKeyInputs before = run(0, "make").instruction("env", "PATH=/usr/bin:/bin", "E=1")
                .instruction("user", "app").build();
        CacheKeyInputs after = run(0, "make").instruction("user", "root").build();
        assertEquals(List.of(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, "env, user",
                "env: E=1; user: app", "env: (none); user: root")), MissExplainer.diff(before, after));
    }

    @Test
    void severalFieldsChangedUnderTheSameText_eachShowsItsName() {
        CacheKeyInputs before = run(0, "make").instruction("user", "").build();
        CacheKeyInputs after = run(0, "make").instruction("user", "app").instruction("env", "PATH=/sbin").build();
        assertEquals(List.of(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, "env, user",
                "env: PATH=/usr/bin:/bin; user: ", "env: PATH=/sbin; user: app")), MissExplainer.diff(before, after));
    }

    @Test
    void anArgValueInTheRunsEnvironment_isReportedOnceAsTheArgChange() {
        CacheKeyInputs before = run(0, "make").instruction("env", "PATH=/bin", "VERSION=1")
                .buildArg("VERSION", "1").build();
        CacheKeyInputs after = run(0, "make").instruction("env", "PATH=/bin", "VERSION=2")
                .buildArg("VERSION", "2").build();
        assertEquals(List.of(new InputChange(CacheMissReason.BUILD_ARG_CHANGED, "VERSION", "1", "2")),
                MissExplainer.diff(before, after));
        CacheKeyInputs alsoEnv = run(0, "make").instruction("env", "PATH=/sbin", "VERSION=2")
                .buildArg("VERSION", "2").build();
        assertEquals(List.of(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, "env", "PATH=/bin VERSION=1",
                        "PATH=/sbin VERSION=2"), new InputChange(CacheMissReason.BUILD_ARG_CHANGED, "VERSION", "1", "2")),
                MissExplainer.diff(before, alsoEnv), "an env change beyond the ARG is still shown, whole");
    }

    @Test
    void everyReason_describesItselfAndOnlyTheParentPointsUpstream() {
        for (CacheMissReason reason : CacheMissReason.values()) {
            String text = new InputChange(reason, "NAME", "old", "new").describe();
            assertFalse(text.isBlank(), reason.name());
            assertEquals(reason == CacheMissReason.PARENT_CHANGED, reason.upstream(), reason.name());
            assertEquals(reason != CacheMissReason.CACHED, reason.isMiss(), reason.name());
        }
        assertEquals("source lib/ no longer used",
                new InputChange(CacheMissReason.CONTENT_CHANGED, "lib/", "sha256:x", null).describe());
        assertEquals("new source lib/ (sha256:x)",
                new InputChange(CacheMissReason.CONTENT_CHANGED, "lib/", null, "sha256:x").describe());
    }

    @Test
    void anExplanation_needsAtLeastOneChange() {
        CacheKey key = run(0, "make").build().key();
        assertThrows(IllegalArgumentException.class,
                () -> new MissExplanation(key, StepIdentity.of("s"), Optional.empty(), List.of()));
        assertTrue(new MissExplanation(key, StepIdentity.of("s"), Optional.empty(),
                List.of(new InputChange(CacheMissReason.NEVER_BUILT, "", null, null)))
                .has(CacheMissReason.NEVER_BUILT));
    }
}
