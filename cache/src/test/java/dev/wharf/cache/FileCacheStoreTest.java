package dev.wharf.cache;

import static dev.wharf.cache.TestSteps.result;
import static dev.wharf.cache.TestSteps.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of {@link FileCacheStore} beyond the {@link CacheStore} contract: persistence, crashes, corruption. */
class FileCacheStoreTest {
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

    @Test
    void records_surviveAFreshStoreInstance() throws Exception {
        CacheKeyInputs inputs = run(0, "make").buildArg("V", "1").build();
        open().save(inputs, result("a", "b"));
        clock.advance(Duration.ofHours(2));
        open().lookup(inputs.key()).orElseThrow();

        FileCacheStore fresh = open();
        CacheRecord found = fresh.lookup(inputs.key()).orElseThrow();
        assertEquals(inputs, found.inputs());
        assertEquals(result("a", "b"), found.result());
        assertEquals(START, found.created());
        MissExplanation explanation = fresh.explainMiss(run(0, "make").buildArg("V", "2").build());
        assertEquals(CacheMissReason.BUILD_ARG_CHANGED, explanation.reason());
        assertEquals(inputs.key(), explanation.previous().orElseThrow().key());
    }

    @Test
    void unusualText_survivesAFreshStoreInstanceExactly() throws Exception {
        String odd = "tab\t nul\u0000 quote\" backslash\\ ü 😀 cr\r del\u007f bom\ufeff nbsp\u00a0 ls\u2028 end";
        CacheKeyInputs inputs = run(0, odd).buildArg(odd, odd).instruction(odd, odd, "")
                .checksum(odd, TestSteps.digestOf(odd)).build();
        open().save(inputs, StepResult.metadataOnly(odd));
        Optional<CacheRecord> read = open().lookup(inputs.key());
        assertEquals(List.of(), warnings);
        CacheRecord found = read.orElseThrow();
        assertEquals(inputs, found.inputs());
        assertEquals(odd, found.result().config());
        assertEquals(List.of(), warnings);
    }

    @Test
    void lastUsedTime_isPersistedAsTheFileModificationTime() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        FileCacheStore store = open();
        store.save(inputs, result("a"));
        assertEquals(START, Files.getLastModifiedTime(recordFile(inputs.key())).toInstant());
        clock.advance(Duration.ofDays(3));
        store.lookup(inputs.key()).orElseThrow();
        assertEquals(START.plus(Duration.ofDays(3)), Files.getLastModifiedTime(recordFile(inputs.key())).toInstant());
        clock.advance(Duration.ofDays(1));
        FileCacheStore fresh = open();
        assertEquals(List.of(), fresh.prune(PruneOptions.olderThan(Duration.ofDays(2))).removed());
        assertEquals(List.of(inputs.key()), fresh.prune(PruneOptions.olderThan(Duration.ofHours(12))).removed());
    }

    @Test
    void save_writesOneVersionedJsonFilePerRecordAndLeavesNoTempFiles() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        FileCacheStore store = open();
        store.save(inputs, result("a"));
        store.save(inputs, result("a"));
        JsonNode json = JSON.readTree(recordFile(inputs.key()).toFile());
        assertEquals("wharf-cache-record", json.get("format").asText());
        assertEquals(2, json.get("version").asInt());
        assertEquals(inputs.key().toString(), json.get("key").asText());
        assertEquals(KeyFormat.VERSION, json.get("keyVersion").asInt());
        assertEquals("RUN make", json.get("inputs").get("text").asText());
        try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
        try (Stream<Path> records = Files.list(root.resolve("records"))) {
            assertEquals(1, records.count());
        }
    }

    @Test
    void aCrashBeforeTheRename_leavesTheOldRecordAndTheTempFileIsSweptLater() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        open().save(inputs, result("old"));
        // What a writer that died mid-write leaves behind: a partial temp file, the record untouched.
        byte[] next = Files.readAllBytes(recordFile(inputs.key()));
        Path partial = root.resolve("tmp").resolve(inputs.key().hex() + ".json-123.tmp");
        Files.write(partial, Arrays.copyOf(next, next.length / 2));
        Files.setLastModifiedTime(partial, FileTime.from(START));

        assertEquals(result("old"), open().lookup(inputs.key()).orElseThrow().result());
        assertTrue(Files.exists(partial), "a temp file younger than an hour may belong to a live writer");
        clock.advance(FileCacheStore.ABANDONED_TEMP_AGE.plusSeconds(1));
        open();
        assertFalse(Files.exists(partial));
        assertEquals(List.of(), warnings);
    }

    @TestFactory
    Stream<DynamicTest> corruptRecord_isRemovedWithAWarningNamingTheFileAndMisses() throws Exception {
        Map<String, UnaryOperator<byte[]>> damages = new LinkedHashMap<>();
        damages.put("torn in half", b -> Arrays.copyOf(b, b.length / 2));
        damages.put("empty", b -> new byte[0]);
        damages.put("binary garbage", b -> new byte[] {0, (byte) 0xff, 0x7f, 42});
        damages.put("JSON null", b -> "null".getBytes(StandardCharsets.UTF_8));
        damages.put("trailing garbage", b -> (new String(b, StandardCharsets.UTF_8) + "}x")
                .getBytes(StandardCharsets.UTF_8));
        damages.put("a field missing", b -> edit(b, r -> r.remove("created")));
        damages.put("wrong type", b -> edit(b, r -> r.put("keyVersion", "one")));
        damages.put("bad digest", b -> edit(b, r -> ((ObjectNode) r.get("result").get("layers").get(0))
                .put("diffId", "sha256:xyz")));
        damages.put("bad layer descriptor", b -> edit(b, r -> ((ObjectNode) r.get("result").get("layers").get(0)
                .get("descriptor")).put("size", -1)));
        damages.put("inputs edited", b -> edit(b, r -> ((ObjectNode) r.get("inputs")).put("kind", "ADD")));
        damages.put("another key's record", b -> edit(b, r -> r.put("key", run(5, "x").build().key().toString())));
        damages.put("format version 0", b -> edit(b, r -> r.put("version", 0)));
        damages.put("config size not a size", b -> edit(b, r -> ((ObjectNode) r.get("result"))
                .put("configSize", "big")));
        damages.put("config of another size", b -> edit(b, r -> ((ObjectNode) r.get("result"))
                .put("configSize", r.get("result").get("configSize").asLong() + 1)));
        damages.put("config missing", b -> edit(b, r -> ((ObjectNode) r.get("result"))
                .put("configDigest", TestSteps.digestOf("a config never stored").toString())));
        damages.put("config digest of md5", b -> edit(b, r -> ((ObjectNode) r.get("result"))
                .put("configDigest", "md5:0123")));
        damages.put("unknown parent kind", b -> edit(b, r -> ((ObjectNode) r.get("inputs").get("parent"))
                .put("kind", "layer")));
        List<DynamicTest> tests = new ArrayList<>();
        int index = 0;
        for (Map.Entry<String, UnaryOperator<byte[]>> damage : damages.entrySet()) {
            int step = index++;
            tests.add(DynamicTest.dynamicTest(damage.getKey(), () -> {
                warnings.clear();
                CacheKeyInputs inputs = run(step, "corrupt " + step).build();
                open().save(inputs, result("c" + step));
                Path file = recordFile(inputs.key());
                Files.write(file, damage.getValue().apply(Files.readAllBytes(file)));

                FileCacheStore fresh = open();
                assertEquals(Optional.empty(), fresh.lookup(inputs.key()));
                assertFalse(Files.exists(file), "corrupt file removed");
                assertEquals(1, warnings.size(), warnings::toString);
                assertEquals(file, warnings.get(0).file());
                assertTrue(warnings.get(0).message().contains(file.toString()), warnings.get(0).message());
                assertTrue(warnings.get(0).message().endsWith("the step will be rebuilt"),
                        warnings.get(0).message());
                // The step can be cached again.
                fresh.save(inputs, result("c" + step));
                assertTrue(fresh.lookup(inputs.key()).isPresent());
            }));
        }
        return tests.stream();
    }

    @Test
    void corruptRecord_isAlsoDroppedByExplainPruneAndGcRoots() throws Exception {
        FileCacheStore store = open();
        CacheKeyInputs good = run(0, "good").build();
        CacheKeyInputs bad = run(1, "bad").build();
        store.save(good, result("good"));
        store.save(bad, result("bad"));
        Files.writeString(recordFile(bad.key()), "{\"format\":");

        FileCacheStore fresh = open();
        assertEquals(1, fresh.referencedBlobs().size());
        assertEquals(1, warnings.size());
        assertEquals(CacheMissReason.NEVER_BUILT, fresh.explainMiss(run(1, "bad again").build()).reason());
        PruneResult pruned = fresh.prune(PruneOptions.everything());
        assertEquals(List.of(good.key()), pruned.removed());
        try (Stream<Path> identities = Files.list(root.resolve("identities"))) {
            assertEquals(0, identities.count(), "markers of removed records are swept");
        }
    }

    @Test
    void recordOfANewerFormat_isSkippedButNeitherRemovedNorReported() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        open().save(inputs, result("a"));
        Path file = recordFile(inputs.key());
        Files.write(file, edit(Files.readAllBytes(file), r -> r.put("version", 3).put("newField", true)));

        FileCacheStore fresh = open();
        assertEquals(Optional.empty(), fresh.lookup(inputs.key()));
        assertEquals(List.of(), fresh.prune(PruneOptions.everything()).removed());
        assertTrue(Files.exists(file));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aRecordPrunedOrReplacedByAnotherInstance_isNotServedFromMemory() throws Exception {
        CacheKeyInputs inputs = run(0, "make").build();
        FileCacheStore first = open();
        FileCacheStore second = open();
        first.save(inputs, result("a"));
        assertTrue(first.lookup(inputs.key()).isPresent());

        second.prune(PruneOptions.everything());
        assertEquals(Optional.empty(), first.lookup(inputs.key()));

        second.save(inputs, result("rebuilt", "with", "more", "layers"));
        assertEquals(result("rebuilt", "with", "more", "layers"), first.lookup(inputs.key()).orElseThrow().result());
    }

    @Test
    void withoutAnInMemoryCache_everyLookupReadsTheFile() throws Exception {
        FileCacheStore store = FileCacheStore.open(root,
                CacheStoreOptions.defaults().withClock(clock).withMaxCachedRecords(0));
        CacheKeyInputs inputs = run(0, "make").build();
        store.save(inputs, result("a"));
        assertEquals(result("a"), store.lookup(inputs.key()).orElseThrow().result());
        assertEquals(result("a"), store.lookup(inputs.key()).orElseThrow().result());
    }

    @Test
    void open_onAFile_saysWhichDirectoryAndWhatToDo() throws Exception {
        Path file = Files.writeString(root.resolve("not-a-dir"), "x");
        CacheException e = assertThrows(CacheException.class,
                () -> FileCacheStore.open(file, CacheStoreOptions.defaults()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("choose another --root"), e.getMessage());
    }

    @Test
    @Timeout(120)
    void twoOtherProcessesAndThisOneSavingIntoOneDirectory_loseNothing() throws Exception {
        int count = 30;
        open(); // create the layout before the children race on it
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        for (String prefix : List.of("childA", "childB")) {
            Process child = javaProcess(ConcurrentCacheWriterMain.class, root.toString(), prefix,
                    String.valueOf(count));
            children.add(child);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), () -> "child did not start: " + stderr(child));
            outputs.add(out);
        }
        Files.createFile(root.resolve("go"));
        FileCacheStore store = FileCacheStore.open(root, CacheStoreOptions.defaults());
        for (int i = 0; i < count; i++) {
            store.save(run(i, "parent " + i).build(), result("parent" + i));
            store.save(run(999, "shared").build(), result("shared"));
        }
        for (int c = 0; c < children.size(); c++) {
            Process child = children.get(c);
            assertEquals(0, child.waitFor(), () -> "child failed: " + stderr(child));
            assertEquals("done", outputs.get(c).readLine());
        }
        FileCacheStore fresh = FileCacheStore.open(root,
                CacheStoreOptions.defaults().withWarnings(warnings::add));
        for (String prefix : List.of("parent", "childA", "childB")) {
            for (int i = 0; i < count; i++) {
                assertEquals(result(prefix + i),
                        fresh.lookup(run(i, prefix + " " + i).build().key()).orElseThrow().result());
            }
        }
        assertEquals(result("shared"), fresh.lookup(run(999, "shared").build().key()).orElseThrow().result());
        assertEquals(3 * count + 1, fresh.referencedBlobs().size());
        try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
        assertEquals(List.of(), warnings);
    }

    private static byte[] edit(byte[] json, java.util.function.Consumer<ObjectNode> change) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(json);
            change.accept(node);
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stderr(Process process) {
        try {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /** Starts {@code main} of a test class in a new JVM with this test's classpath. */
    private static Process javaProcess(Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        // Output is two short lines, so the pipes cannot fill up and block the child.
        return new ProcessBuilder(command).start();
    }
}
