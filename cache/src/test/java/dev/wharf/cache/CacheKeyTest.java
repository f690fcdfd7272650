package dev.wharf.cache;

import static dev.wharf.cache.TestSteps.AMD64;
import static dev.wharf.cache.TestSteps.digestOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class CacheKeyTest {
    /** The fixed input whose serialization and digest are pinned below. */
    private static CacheKeyInputs pinned() {
        return CacheKeyInputs.builder(StepIdentity.of("Dockerfile#0#1"),
                        StepParent.image(Digest.sha256("0".repeat(64))), "COPY")
                .text("COPY --chmod=644 app.jar /app/")
                .instruction("src", "app.jar")
                .instruction("dest", "/app/")
                .instruction("chmod", "644")
                .buildArg("VERSION", "1.0 \"beta\"\n")
                .platform(Platform.of("linux", "arm64").withVariant("v8"))
                .checksum("app.jar", Digest.sha256("a".repeat(64)))
                .build();
    }

    private static final String PINNED_SERIALIZATION = "{\"args\":{\"VERSION\":\"1.0 \\\"beta\\\"\\u000a\"},"
            + "\"checksums\":{\"app.jar\":\"sha256:" + "a".repeat(64) + "\"},"
            + "\"format\":\"wharf-step-cache-key\","
            + "\"instruction\":{\"chmod\":[\"644\"],\"dest\":[\"/app/\"],\"src\":[\"app.jar\"]},"
            + "\"kind\":\"COPY\","
            + "\"parent\":{\"digest\":\"sha256:" + "0".repeat(64) + "\",\"kind\":\"image\"},"
            + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"osFeatures\":[],\"osVersion\":\"\","
            + "\"variant\":\"v8\"},"
            + "\"version\":1}";

    /**
     * If this fails, the key format changed: every existing cache entry would silently stop matching. Make the
     * change deliberate: bump {@link KeyFormat#VERSION}, document it there, and update both pins.
     */
    @Test
    void serialization_ofAFixedInput_isPinned() {
        assertEquals(PINNED_SERIALIZATION,
                new String(KeyFormat.serialize(pinned()), StandardCharsets.UTF_8));
    }

    @Test
    void key_ofAFixedInput_isPinnedSoItIsTheSameInEveryJvm() {
        // Computed independently: printf '%s' "$PINNED_SERIALIZATION" | sha256sum
        assertEquals("sha256:dc6aab9b56a59e4396d06d8e4c52d238e766321214ca498f3e216faea416954d",
                pinned().key().toString());
    }

    @Test
    void key_isTheSha256OfTheSerialization() {
        assertEquals(Digest.sha256Of(PINNED_SERIALIZATION.getBytes(StandardCharsets.UTF_8)),
                pinned().key().digest());
    }

    @Test
    void key_doesNotDependOnTheOrderInputsWereAdded() {
        CacheKeyInputs reordered = CacheKeyInputs.builder(StepIdentity.of("elsewhere"),
                        StepParent.image(Digest.sha256("0".repeat(64))), "COPY")
                .checksum("app.jar", Digest.sha256("a".repeat(64)))
                .platform(Platform.of("linux", "arm64").withVariant("v8"))
                .instruction("chmod", "644")
                .buildArg("VERSION", "1.0 \"beta\"\n")
                .instruction("dest", "/app/")
                .instruction("src", "app.jar")
                .build();
        assertEquals(pinned().key(), reordered.key());
    }

    @TestFactory
    Stream<DynamicTest> key_changesWithEveryHashedInput() {
        CacheKey parentKey = pinned().key();
        Map<String, UnaryOperator<CacheKeyInputs.Builder>> variants = new LinkedHashMap<>();
        variants.put("parent: another base image", b -> b.parent(StepParent.image(Digest.sha256("1".repeat(64)))));
        variants.put("parent: a step instead of an image",
                b -> b.parent(StepParent.step(CacheKey.of(Digest.sha256("0".repeat(64))))));
        variants.put("parent: another step", b -> b.parent(StepParent.step(parentKey)));
        variants.put("parent: scratch", b -> b.parent(StepParent.scratch()));
        variants.put("kind", b -> b.kind("ADD"));
        variants.put("instruction: a value", b -> b.instruction("src", "app2.jar"));
        variants.put("instruction: list order", b -> b.instruction("src", "b", "a"));
        variants.put("instruction: one element split in two", b -> b.instruction("src", "app", ".jar"));
        variants.put("instruction: a new field", b -> b.instruction("link", "true"));
        variants.put("instruction: a field removed", b -> b.withoutInstruction("chmod"));
        variants.put("instruction: an empty field added", b -> b.instruction("exclude", List.of()));
        variants.put("build ARG: value", b -> b.buildArg("VERSION", "2.0"));
        variants.put("build ARG: added", b -> b.buildArg("DEBUG", "1"));
        variants.put("build ARG: removed", b -> b.withoutBuildArg("VERSION"));
        variants.put("build ARG: empty value", b -> b.buildArg("VERSION", ""));
        variants.put("checksum: content", b -> b.checksum("app.jar", digestOf("other")));
        variants.put("checksum: added", b -> b.checksum("lib/", digestOf("lib")));
        variants.put("checksum: renamed source", b -> b.withoutChecksum("app.jar")
                .checksum("app2.jar", Digest.sha256("a".repeat(64))));
        variants.put("platform: architecture", b -> b.platform(Platform.of("linux", "amd64")));
        variants.put("platform: variant", b -> b.platform(Platform.of("linux", "arm64").withVariant("v9")));
        variants.put("platform: os", b -> b.platform(Platform.of("windows", "arm64").withVariant("v8")));
        variants.put("platform: os version", b -> b.platform(
                new Platform("arm64", "linux", "10.0", null, "v8")));
        variants.put("platform: os features", b -> b.platform(
                new Platform("arm64", "linux", null, List.of("win32k"), "v8")));
        CacheKey original = pinned().key();
        return variants.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            CacheKey changed = e.getValue().apply(pinned().toBuilder()).build().key();
            assertNotEquals(original, changed, e.getKey());
        }));
    }

    @Test
    void key_ignoresIdentityAndDisplayText() {
        CacheKeyInputs moved = pinned().toBuilder().identity(StepIdentity.of("other/Dockerfile#9#9"))
                .text("COPY   --chmod=644 app.jar /app/").build();
        assertEquals(pinned().key(), moved.key());
    }

    @Test
    void key_distinguishesStringsThatOnlyDifferInEscapedCharacters() {
        List<String> values = List.of("a\"b", "a\\\"b", "a\nb", "a\\nb", "a\u0000b", "a\\u0000b", "?",
                "\ud83d\ude00", "\ufffd", "a,b", "a\u2028b");
        Set<CacheKey> keys = new java.util.HashSet<>();
        for (String value : values) {
            keys.add(pinned().toBuilder().buildArg("X", value).build().key());
        }
        assertEquals(values.size(), keys.size());
    }

    @Test
    void inputs_rejectUnpairedSurrogatesWhichHaveNoUtf8Form() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pinned().toBuilder().buildArg("X", "a\ud800b").build());
        assertEquals("build ARG value has an unpaired surrogate U+D800 at offset 1: cache inputs must be well-formed "
                + "text", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pinned().toBuilder().instruction("\udc00", "x").build());
        assertThrows(IllegalArgumentException.class, () -> pinned().toBuilder().text("\ud83d").build());
        assertThrows(IllegalArgumentException.class, () -> StepIdentity.of("x\udc00"));
        assertThrows(IllegalArgumentException.class, () -> StepResult.metadataOnly("{\"a\":\"\ud800\"}"));
        assertEquals(2, pinned().toBuilder().buildArg("X", "\ud83d\ude00").build().buildArgs().size());
    }

    @Test
    void usedArgs_leavesOutUndeclaredProxyArgsInAnyCase() {
        Map<String, String> used = Map.of("HTTP_PROXY", "http://p:3128", "https_proxy", "http://p:3128",
                "No_Proxy", "localhost", "FTP_PROXY", "x", "all_proxy", "y", "VERSION", "1");
        CacheKeyInputs inputs = TestSteps.run(0, "make").usedArgs(used, Set.of("VERSION")).build();
        assertEquals(Map.of("VERSION", "1"), inputs.buildArgs());
        assertEquals(TestSteps.run(0, "make").buildArg("VERSION", "1").build().key(), inputs.key());
    }

    @Test
    void usedArgs_keepsProxyArgsDeclaredByAnArgInstruction() {
        CacheKeyInputs inputs = TestSteps.run(0, "make")
                .usedArgs(Map.of("HTTP_PROXY", "http://p:3128"), Set.of("HTTP_PROXY")).build();
        assertEquals(Map.of("HTTP_PROXY", "http://p:3128"), inputs.buildArgs());
    }

    @Test
    void keyExclusions_eachStateAReason() {
        for (KeyExclusions exclusion : KeyExclusions.values()) {
            assertTrue(exclusion.reason().length() > 40, exclusion.name());
        }
        assertTrue(KeyExclusions.isProxyArg("Https_Proxy"));
        assertTrue(!KeyExclusions.isProxyArg("PROXY"));
    }

    @Test
    void cacheKey_wireFormRoundTripsAndRejectsOtherDigests() {
        CacheKey key = pinned().key();
        assertEquals(key, CacheKey.parse(key.toString()));
        assertEquals(key.toString(), "sha256:" + key.hex());
        assertThrows(IllegalArgumentException.class, () -> CacheKey.parse("sha256:ABC"));
        assertThrows(IllegalArgumentException.class, () -> CacheKey.parse("sha512:" + "0".repeat(128)));
        assertThrows(IllegalArgumentException.class, () -> CacheKey.parse(key.hex()));
    }

    @Test
    void inputs_areImmutableCopies() {
        java.util.TreeMap<String, String> args = new java.util.TreeMap<>(Map.of("A", "1"));
        CacheKeyInputs inputs = new CacheKeyInputs(StepIdentity.of("s"), StepParent.scratch(), "RUN", "RUN x",
                new java.util.TreeMap<>(), args, AMD64, new java.util.TreeMap<>());
        args.put("B", "2");
        assertEquals(Map.of("A", "1"), inputs.buildArgs());
        assertThrows(UnsupportedOperationException.class, () -> inputs.buildArgs().put("C", "3"));
        assertThrows(IllegalArgumentException.class, () -> new StepParent(StepParent.Kind.STEP, null));
        assertThrows(IllegalArgumentException.class,
                () -> new StepParent(StepParent.Kind.SCRATCH, Digest.sha256("0".repeat(64))));
    }
}
