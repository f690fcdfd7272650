package dev.wharf.cache;

import static dev.wharf.cache.TestSteps.layer;
import static dev.wharf.cache.TestSteps.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.layers.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record file format of {@link FileCacheStore} (version 2): a record names its image config by digest, the
 * config is a content-addressed file read only when asked for, records of version 1 (config inline) still read,
 * damaged configs are misses, and a prune removes the configs no record names.
 */
class RecordFormatTest {
    private static final Instant START = Instant.parse("2026-01-02T03:04:05Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(START);
    private final List<CacheWarning> warnings = new CopyOnWriteArrayList<>();

    private FileCacheStore open() throws CacheException {
        return FileCacheStore.open(root, CacheStoreOptions.defaults().withClock(clock).withWarnings(warnings::add));
    }

    private Path recordFile(CacheKey key) {
        return root.resolve("records").resolve(key.hex() + ".json");
    }

    private Path configFile(String config) {
        return root.resolve("configs").resolve(digestOf(config).hex());
    }

    private static Digest digestOf(String text) {
        return Digest.sha256Of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A config as a build makes it: history and env grow with every step. */
    private static String bigConfig(int steps) {
        StringBuilder history = new StringBuilder();
        StringBuilder env = new StringBuilder();
        for (int i = 0; i < steps; i++) {
            history.append(i == 0 ? "" : ",").append("{\"created_by\":\"RUN step ").append(i).append("\"}");
            env.append(i == 0 ? "" : ",").append("\"V").append(i).append("=value ü ").append(i).append('"');
        }
        return "{\"config\":{\"Env\":[" + env + "]},\"history\":[" + history + "]}";
    }

    private static long filesIn(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void roundTrip_theRecordNamesItsConfigWhichIsStoredOnceByDigest() throws Exception {
        String config = bigConfig(300);
        CacheKeyInputs inputs = run(0, "make").build();
        StepResult result = StepResult.of(List.of(layer("a", 10)), config);
        open().save(inputs, result);

        JsonNode json = JSON.readTree(recordFile(inputs.key()).toFile());
        assertEquals(2, json.get("version").asInt());
        assertNull(json.get("result").get("config"), "no config text in the record");
        assertEquals(digestOf(config).toString(), json.get("result").get("configDigest").asText());
        assertEquals(config.getBytes(StandardCharsets.UTF_8).length, json.get("result").get("configSize").asLong());
        assertTrue(Files.size(recordFile(inputs.key())) < 2048, "the record does not grow with the config");
        assertArrayEquals(config.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(configFile(config)));

        CacheRecord found = open().lookup(inputs.key()).orElseThrow();
        assertEquals(result, found.result());
        assertEquals(config, found.result().config());
        assertEquals(List.of(layer("a", 10)), found.result().layers());
        assertEquals(START, found.created());
        assertEquals(List.of(), warnings);
    }

    @Test
    void equalConfigs_areStoredOnce() throws Exception {
        FileCacheStore store = open();
        store.save(run(0, "a").build(), StepResult.of(List.of(layer("a", 1)), "{\"same\":true}"));
        store.save(run(1, "b").build(), StepResult.of(List.of(layer("b", 1)), "{\"same\":true}"));
        assertEquals(2, filesIn(root.resolve("records")));
        assertEquals(1, filesIn(root.resolve("configs")));
    }

    @Test
    void aLookupReadsNoConfig_itIsReadAndCheckedWhenFirstAskedFor() throws Exception {
        String config = bigConfig(5);
        CacheKeyInputs inputs = run(0, "make").build();
        open().save(inputs, StepResult.of(List.of(layer("a", 10)), config));
        // Same size, other bytes: a lookup (one stat) cannot tell; reading the config can.
        byte[] damaged = config.getBytes(StandardCharsets.UTF_8);
        damaged[damaged.length / 2] ^= 1;
        Files.write(configFile(config), damaged);

        CacheRecord found = open().lookup(inputs.key()).orElseThrow();
        assertEquals(List.of(layer("a", 10)), found.result().layers());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> found.result().config());
        assertTrue(e.getMessage().contains(configFile(config).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void aRecordWhoseConfigIsGone_isIgnoredAsAMissAndRemovedWithAWarning() throws Exception {
        String config = bigConfig(3);
        CacheKeyInputs inputs = run(0, "make").build();
        open().save(inputs, StepResult.of(List.of(layer("a", 10)), config));
        Files.delete(configFile(config));

        FileCacheStore fresh = open();
        assertEquals(Optional.empty(), fresh.lookup(inputs.key()));
        assertFalse(Files.exists(recordFile(inputs.key())));
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).message().contains("image config"), warnings.get(0).message());
        fresh.save(inputs, StepResult.of(List.of(layer("a", 10)), config));
        assertEquals(config, open().lookup(inputs.key()).orElseThrow().result().config());
    }

    @Test
    void aRecordOfFormatVersion1_withItsConfigInline_isStillRead() throws Exception {
        String config = bigConfig(4);
        CacheKeyInputs inputs = run(0, "make").build();
        StepResult result = StepResult.of(List.of(layer("old", 10)), config);
        CacheRecord old = CacheRecord.create(inputs, result, START);
        // What wharf wrote before version 2: the config text inline.
        ObjectNode tree = new RecordCodec().artifactTree(old);
        assertEquals(1, tree.get("version").asInt());
        assertEquals(config, tree.get("result").get("config").asText());
        FileCacheStore store = open();
        Files.write(recordFile(inputs.key()), JSON.writeValueAsBytes(tree));

        CacheRecord found = store.lookup(inputs.key()).orElseThrow();
        assertEquals(result, found.result());
        assertEquals(config, found.result().config());
        assertEquals(inputs, found.inputs());
        assertEquals(1, store.referencedBlobs().size());
        assertEquals(0, filesIn(root.resolve("configs")), "reading an old record writes nothing");
        assertEquals(List.of(inputs.key()), store.prune(PruneOptions.everything()).removed());
        assertFalse(Files.exists(recordFile(inputs.key())));
        assertEquals(List.of(), warnings);
    }

    @Test
    void prune_removesTheConfigsOfRemovedRecordsAndKeepsThoseStillNamed() throws Exception {
        FileCacheStore store = open();
        CacheKeyInputs a = run(0, "a").build();
        CacheKeyInputs b = run(1, "b").build();
        CacheKeyInputs c = run(2, "c").build();
        store.save(a, StepResult.of(List.of(layer("a", 1)), "{\"only\":\"a\"}"));
        clock.advance(java.time.Duration.ofDays(2));
        store.save(b, StepResult.of(List.of(layer("b", 1)), "{\"shared\":true}"));
        store.save(c, StepResult.of(List.of(layer("c", 1)), "{\"shared\":true}"));
        // A config whose record a crash kept from being written.
        Files.writeString(configFile("{\"orphan\":true}"), "{\"orphan\":true}");
        assertEquals(3, filesIn(root.resolve("configs")));

        assertEquals(List.of(a.key()), store.prune(PruneOptions.olderThan(java.time.Duration.ofDays(1))).removed());
        assertFalse(Files.exists(configFile("{\"only\":\"a\"}")));
        assertFalse(Files.exists(configFile("{\"orphan\":true}")));
        assertTrue(Files.exists(configFile("{\"shared\":true}")));
        assertEquals("{\"shared\":true}", open().lookup(b.key()).orElseThrow().result().config());
        assertEquals("{\"shared\":true}", open().lookup(c.key()).orElseThrow().result().config());

        store.prune(PruneOptions.everything());
        assertEquals(0, filesIn(root.resolve("configs")));
    }

    @Test
    void prune_leavesConfigsAloneWhileARecordOfANewerFormatMayNameThem() throws Exception {
        FileCacheStore store = open();
        CacheKeyInputs a = run(0, "a").build();
        CacheKeyInputs newer = run(1, "newer").build();
        store.save(a, StepResult.of(List.of(layer("a", 1)), "{\"a\":1}"));
        store.save(newer, StepResult.of(List.of(layer("n", 1)), "{\"n\":1}"));
        Path file = recordFile(newer.key());
        ObjectNode tree = (ObjectNode) JSON.readTree(file.toFile());
        Files.write(file, JSON.writeValueAsBytes(tree.put("version", 3)));

        assertEquals(List.of(a.key()), open().prune(PruneOptions.everything()).removed());
        assertTrue(Files.exists(configFile("{\"n\":1}")));
    }

    @Test
    void theCacheArtifact_stillCarriesEachConfigInlineAsVersion1() throws Exception {
        String config = bigConfig(3);
        CacheKeyInputs inputs = run(0, "make").build();
        open().save(inputs, StepResult.of(List.of(layer("a", 10)), config));
        CacheRecord stored = open().lookup(inputs.key()).orElseThrow();

        JsonNode artifact = JSON.readTree(CacheArtifact.writeConfig(List.of(stored)));
        JsonNode record = artifact.get("records").get(0);
        assertEquals(1, record.get("version").asInt());
        assertEquals(config, record.get("result").get("config").asText());
        assertNull(record.get("result").get("configDigest"));
        List<CacheRecord> read = CacheArtifact.readConfig(CacheArtifact.writeConfig(List.of(stored)), "test");
        assertEquals(config, read.get(0).result().config());
        assertEquals(stored.result(), read.get(0).result());
    }

    @Test
    void aCacheArtifactRecordNamingAConfigBlob_isNotReadAsOne() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        open().save(inputs, StepResult.of(List.of(layer("a", 10)), "{}"));
        JsonNode record = JSON.readTree(recordFile(inputs.key()).toFile());
        ObjectNode artifact = JSON.createObjectNode().put("format", "wharf-cache-config").put("version", 1);
        artifact.putArray("records").add(record);
        // Version 2 records exist only in a store: to an artifact reader they are a newer wharf's, skipped.
        assertEquals(List.of(), CacheArtifact.readConfig(JSON.writeValueAsBytes(artifact), "test"));
    }
}
