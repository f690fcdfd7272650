package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.ok;
import static dev.wharf.cli.CliHarness.wharf;
import dev.wharf.cli.CliHarness.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.cache.CacheKeyInputs;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.CacheStoreOptions;
import dev.wharf.cache.FileCacheStore;
import dev.wharf.cache.StepIdentity;
import dev.wharf.cache.StepParent;
import dev.wharf.cache.StepResult;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import dev.wharf.layers.archive.ArchiveExporter;
import dev.wharf.layers.archive.DockerLayerFormat;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.layer.LayerWriterOptions;
import dev.wharf.layers.layer.TreeScanner;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store commands (load, images, inspect, tag, save, rmi, prune) on real stores, through {@link Main#run}. */
class StoreCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path storeA;
    private Path storeB;
    private Path seedArchive;
    private Digest seedImageId;

    /** A docker-archive of demo:1.0 (two files, a CMD and a label), written by a seed store. */
    @BeforeEach
    void seed() throws Exception {
        storeA = dir.resolve("a");
        storeB = dir.resolve("b");
        Path seedStore = dir.resolve("seed");
        seedArchive = dir.resolve("seed.tar");
        seedImageId = writeImage(seedStore, "demo:1.0", "hello\n");
        ArchiveExporter.from(LocalStore.open(seedStore), Platform.of("linux", "amd64"))
                .writeDockerArchive(List.of(ImageName.parse("demo:1.0")), DockerLayerFormat.TAR, seedArchive);
    }

    /** Writes a one-layer image holding {@code greeting} into the store at {@code root}; returns its ID. */
    private Digest writeImage(Path root, String name, String greeting) throws Exception {
        LocalStore store = LocalStore.open(root);
        Path tree = Files.createTempDirectory(dir, "tree");
        Files.writeString(tree.resolve("hello.txt"), greeting);
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/motd"), "welcome " + greeting);
        LayerBlob layer = new LayerWriter(store.blobs(), new TreeScanner(PosixFiles.system()),
                LayerWriterOptions.of(LayerCompression.gzip(6, 1)).withSourceDateEpoch(0), Runnable::run)
                .writeTree(tree);
        OffsetDateTime created = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
        ImageConfiguration config = ImageConfiguration.of(Platform.of("linux", "amd64"),
                ExecutionConfig.builder().cmd(List.of("/bin/sh")).labels(Map.of("org.example", "yes")).build(),
                RootFs.layers(List.of(layer.diffId())),
                List.of(new HistoryEntry(created, "COPY . /", null, null, false))).withCreated(created);
        Descriptor configDescriptor = store.writer().writeConfig(config);
        Descriptor manifest = store.writer().writeManifest(ImageManifest.oci(configDescriptor,
                List.of(layer.descriptor())));
        store.images().tag(ImageName.parse(name), manifest);
        return configDescriptor.digest();
    }

    private JsonNode inspect(Path root, String image) throws IOException {
        Outcome outcome = ok("inspect", "--root", root.toString(), image);
        JsonNode array = JSON.readTree(outcome.out());
        assertEquals(1, array.size(), outcome.out());
        return array.get(0);
    }

    @Test
    void loadImagesInspectTagSaveLoad_keepsTheImageId() throws IOException {
        Outcome loaded = ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        assertEquals("Loaded image: demo:1.0\n", loaded.out());

        Outcome images = ok("images", "--root", storeA.toString());
        assertTrue(images.out().lines().anyMatch(l -> l.matches("demo +1\\.0 +[0-9a-f]{12} +.*")), images.out());
        assertTrue(images.out().contains(seedImageId.hex().substring(0, 12)), images.out());

        JsonNode image = inspect(storeA, "demo:1.0");
        assertEquals(seedImageId.toString(), image.get("Id").asText());
        assertEquals("[\"demo:1.0\"]", image.get("RepoTags").toString());
        assertEquals("2024-01-02T03:04:05Z", image.get("Created").asText());
        assertEquals("amd64", image.get("Architecture").asText());
        assertEquals("linux", image.get("Os").asText());
        assertEquals("[\"/bin/sh\"]", image.get("Config").get("Cmd").toString());
        assertEquals("yes", image.get("Config").get("Labels").get("org.example").asText());
        assertEquals("layers", image.get("RootFS").get("Type").asText());
        assertEquals(1, image.get("RootFS").get("Layers").size());
        assertTrue(image.get("Size").asLong() > 0, image.toString());

        ok("tag", "--root", storeA.toString(), "demo:1.0", "registry.example:5000/team/demo:copy");
        JsonNode tagged = inspect(storeA, seedImageId.hex().substring(0, 12));
        assertEquals("[\"demo:1.0\",\"registry.example:5000/team/demo:copy\"]", tagged.get("RepoTags").toString());

        Path saved = dir.resolve("saved.tar");
        ok("save", "--root", storeA.toString(), "registry.example:5000/team/demo:copy", "-o", saved.toString());
        Outcome reloaded = ok("load", "--root", storeB.toString(), "-i", saved.toString());
        assertEquals("Loaded image: registry.example:5000/team/demo:copy\n", reloaded.out());
        assertEquals(seedImageId.toString(),
                inspect(storeB, "registry.example:5000/team/demo:copy").get("Id").asText());
    }

    @Test
    void formatTemplates_printInspectImagesAndHistoryAsDockersFormatDoes() throws IOException {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        String root = storeA.toString();
        assertEquals(seedImageId + " [/bin/sh] [] yes\n", ok("inspect", "--root", root, "-f",
                "{{.Id}} {{.Config.Cmd}} {{.Config.Entrypoint}} {{index .Config.Labels \"org.example\"}}",
                "demo:1.0").out());
        assertEquals("demo:1.0\n", ok("images", "--root", root, "--format", "{{.Repository}}:{{.Tag}}").out());
        List<String> table = ok("images", "--root", root, "--format", "table {{.Repository}}\t{{.ID}}").out()
                .lines().toList();
        assertEquals(List.of("REPOSITORY   IMAGE ID", "demo         " + seedImageId.hex().substring(0, 12)), table);
        assertEquals("COPY . /|2024-01-02T03:04:05Z\n", ok("history", "--root", root, "--format",
                "{{.CreatedBy}}|{{.CreatedAt}}", "demo:1.0").out());
        Outcome bad = wharf("inspect", "--root", root, "-f", "{{range .RepoTags}}", "demo:1.0");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("missing {{end}}"), bad.err());
    }

    @Test
    void historyImagesAndInspect_giveTheLayersContentSize_notTheirCompressedBlobs() throws IOException {
        // As docker with its graph driver: the unpacked files' bytes ("hello\n" and "welcome hello\n": 20), where the
        // gzip blob holding them is several hundred bytes.
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        String root = storeA.toString();
        assertEquals("20B\n", ok("history", "--root", root, "--format", "{{.Size}}", "demo:1.0").out());
        assertEquals("20\n", ok("history", "--root", root, "-H=false", "--format", "{{.Size}}", "demo:1.0").out());
        assertEquals("20B\n", ok("images", "--root", root, "--format", "{{.Size}}").out());
        assertEquals(20, inspect(storeA, "demo:1.0").get("Size").asLong());
        // Measured once, then read from the store.
        assertEquals("20B\n", ok("images", "--root", root, "--format", "{{.Size}}").out());
    }

    @Test
    void saveOciArchiveAndLayoutDirectory_loadBackWithTheSameId() throws IOException {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        Path archive = dir.resolve("demo.oci.tar");
        Path layout = dir.resolve("layout");
        ok("save", "--root", storeA.toString(), "--format", "oci", "demo:1.0", "-o", archive.toString());
        ok("save", "--root", storeA.toString(), "--format", "oci-dir", "demo:1.0", "-o", layout.toString());
        assertTrue(Files.isRegularFile(layout.resolve("index.json")));

        assertEquals("Loaded image: demo:1.0\n", ok("load", "--root", storeB.toString(), "-i",
                archive.toString()).out());
        Path storeC = dir.resolve("c");
        assertEquals("Loaded image: demo:1.0\n", ok("load", "--root", storeC.toString(), "-i",
                layout.toString()).out());
        assertEquals(seedImageId.toString(), inspect(storeB, "demo:1.0").get("Id").asText());
        assertEquals(seedImageId.toString(), inspect(storeC, "demo:1.0").get("Id").asText());
    }

    @Test
    void rmi_untagsByName_andById_needsForceForSeveralNames() throws IOException {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        ok("tag", "--root", storeA.toString(), "demo:1.0", "demo:2.0");
        String shortId = seedImageId.hex().substring(0, 12);

        Outcome conflict = wharf("rmi", "--root", storeA.toString(), shortId);
        assertEquals(1, conflict.exitCode());
        assertTrue(conflict.err().contains("must be forced"), conflict.err());

        assertEquals("Untagged: demo:2.0\n", ok("rmi", "--root", storeA.toString(), "demo:2.0").out());
        assertEquals("Untagged: demo:1.0\n", ok("rmi", "--root", storeA.toString(), shortId).out());
        Outcome images = ok("images", "--root", storeA.toString());
        assertFalse(images.out().contains("demo"), images.out());

        Outcome missing = wharf("rmi", "--root", storeA.toString(), "demo:1.0");
        assertEquals(1, missing.exitCode());
        assertEquals("wharf rmi: No such image: demo:1.0\n", missing.err());
        assertEquals(0, wharf("rmi", "--root", storeA.toString(), "-f", "demo:1.0").exitCode());
    }

    @Test
    void prune_deletesWhatAKilledLoadStaged_butNotAFileBeingWritten() throws Exception {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        // What a load killed mid-blob leaves (no build ran since to clean it, and a load or pull cleans only files
        // a day old), and a file another process is writing right now.
        Path abandoned = Files.write(storeA.resolve("ingest/blob-1234.partial"), new byte[4096]);
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minusSeconds(120)));
        Path writing = Files.write(storeA.resolve("ingest/blob-5678.partial"), new byte[4096]);
        ok("prune", "--root", storeA.toString());
        assertFalse(Files.exists(abandoned));
        assertTrue(Files.exists(writing));
    }

    @Test
    void prune_removesRememberedGitAndHttpSources_byTheCacheRecordsRules() throws Exception {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        // The git checksums, ETags and git context checkouts builds remember; an entry's time is its last use.
        Path oldSum = entry("git-checksums/" + "a".repeat(64), 48, 100);
        Path newSum = entry("git-checksums/" + "b".repeat(64), 0, 100);
        Path oldTag = entry("http-etags/" + "c".repeat(64), 48, 100);
        Path newTag = entry("http-etags/" + "d".repeat(64), 0, 100);
        Path oldCheckout = entry("git-contexts/" + "e".repeat(64) + "/tree/f.txt", 48, 100).getParent().getParent();
        Files.setLastModifiedTime(oldCheckout, FileTime.from(Instant.now().minusSeconds(48 * 3600)));
        Path lessRecent = entry("git-contexts/" + "1".repeat(64) + "/tree/big", 0, 20_000).getParent().getParent();
        Files.setLastModifiedTime(lessRecent, FileTime.from(Instant.now().minusSeconds(2 * 3600)));
        Path recent = entry("git-contexts/" + "2".repeat(64) + "/tree/big", 0, 20_000).getParent().getParent();
        Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minusSeconds(3600)));

        ok("prune", "--root", storeA.toString());
        assertTrue(Files.exists(oldSum) && Files.exists(oldTag) && Files.exists(oldCheckout),
                "a prune of blobs only keeps them, as it keeps the cache records");

        ok("prune", "--root", storeA.toString(), "--filter", "until=24h");
        assertFalse(Files.exists(oldSum));
        assertFalse(Files.exists(oldTag));
        assertFalse(Files.exists(oldCheckout));
        assertTrue(Files.exists(newSum) && Files.exists(newTag) && Files.exists(lessRecent) && Files.exists(recent));

        ok("prune", "--root", storeA.toString(), "--keep-storage", "30kb");
        assertFalse(Files.exists(lessRecent), "the least recently used goes first");
        assertTrue(Files.exists(recent) && Files.exists(newSum) && Files.exists(newTag));

        ok("prune", "--root", storeA.toString(), "-a");
        for (String dir : List.of("git-checksums", "http-etags", "git-contexts")) {
            try (var left = Files.list(storeA.resolve(dir))) {
                assertEquals(List.of(), left.toList(), dir);
            }
        }
    }

    @Test
    void pruneKeepStorage_isOneBudgetForTheCacheRecordsAndTheRememberedSources() throws Exception {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        // Two build cache records of a real ~20 KB layer each (random bytes: gzip cannot shrink them), used 3 h
        // and 1 h ago, and a ~20 KB git context checkout used 2 h ago with a checksum and an ETag used just now.
        FileCacheStore older = FileCacheStore.open(storeA.resolve("cache"), CacheStoreOptions.defaults()
                .withClock(Clock.fixed(Instant.now().minusSeconds(3 * 3600), ZoneOffset.UTC)));
        older.save(runStep(1), StepResult.of(List.of(randomLayer(1)), "{}"));
        FileCacheStore newer = FileCacheStore.open(storeA.resolve("cache"), CacheStoreOptions.defaults()
                .withClock(Clock.fixed(Instant.now().minusSeconds(3600), ZoneOffset.UTC)));
        CacheRecord kept = newer.save(runStep(2), StepResult.of(List.of(randomLayer(2)), "{}"));
        Path checkout = entry("git-contexts/" + "1".repeat(64) + "/tree/big", 0, 20_000).getParent().getParent();
        Files.setLastModifiedTime(checkout, FileTime.from(Instant.now().minusSeconds(2 * 3600)));
        Path sum = entry("git-checksums/" + "a".repeat(64), 0, 100);
        Path tag = entry("http-etags/" + "b".repeat(64), 0, 100);
        long limit = 30 * 1024;
        assertTrue(cacheBytes() + sourceBytes() > limit + 20_000, "the store starts well over the limit");

        ok("prune", "--root", storeA.toString(), "--keep-storage", "30kb");

        assertEquals(java.util.Set.of(kept.result().layers().get(0).descriptor()),
                FileCacheStore.open(storeA.resolve("cache"), CacheStoreOptions.defaults()).referencedBlobs(),
                "the least recently used record went, the newer one stays");
        long total = cacheBytes() + sourceBytes();
        assertTrue(total <= limit, "kept " + total + " bytes, over the " + limit + " byte limit");
        assertFalse(Files.exists(checkout), "what the newer record leaves of the limit cannot hold the checkout");
        assertTrue(Files.exists(sum) && Files.exists(tag), "the sources within the rest of the budget stay");
    }

    @Test
    void prune_removesCacheMountContents_byTheCacheRecordsRules_withinTheOneBudget() throws Exception {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        // RUN --mount=type=cache directories with their lock files (whose time is the last use) and a fill record.
        Path old = cacheMount("a".repeat(64), 48, 100);
        entry("cache-mounts/" + "a".repeat(64) + ".filled", 48, 2);
        Path lessRecent = cacheMount("b".repeat(64), 2, 20_000);
        Path recent = cacheMount("c".repeat(64), 1, 20_000);
        Path leftover = Files.createDirectories(storeA.resolve("cache-mounts/new-123"));

        ok("prune", "--root", storeA.toString());
        assertTrue(Files.exists(old) && Files.exists(leftover), "a prune of blobs only keeps them");

        Outcome aged = ok("prune", "--root", storeA.toString(), "--filter", "until=24h");
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(storeA.resolve("cache-mounts/" + "a".repeat(64) + ".filled")));
        assertFalse(Files.exists(leftover), "no live build: what a killed one left goes");
        assertTrue(aged.out().contains("Deleted cache mounts:\n" + "a".repeat(64) + "\n"), aged.out());
        assertTrue(Files.exists(lessRecent) && Files.exists(recent));

        ok("prune", "--root", storeA.toString(), "--keep-storage", "30kb");
        assertFalse(Files.exists(lessRecent), "the least recently used goes first");
        assertTrue(Files.exists(recent));

        // BuildKit's record type selects cache mounts alone, every unused one without --all.
        Path sum = entry("git-checksums/" + "d".repeat(64), 48, 100);
        ok("prune", "--root", storeA.toString(), "--filter", "type=exec.cachemount");
        assertFalse(Files.exists(recent));
        assertTrue(Files.exists(sum), "other kinds are left alone");
        Outcome refused = CliHarness.wharf("prune", "--root", storeA.toString(), "--filter", "type=regular");
        assertEquals(2, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("unsupported filter 'type=regular'"), refused.err());

        cacheMount("e".repeat(64), 0, 10);
        ok("prune", "--root", storeA.toString(), "-a");
        try (var left = Files.list(storeA.resolve("cache-mounts"))) {
            assertEquals(List.of(), left.toList());
        }
    }

    /** A cache mount's directory with {@code size} bytes, and its lock file, last used {@code hoursAgo}. */
    private Path cacheMount(String name, int hoursAgo, int size) throws IOException {
        Path data = entry("cache-mounts/" + name + "/data", hoursAgo, size);
        Path dir = data.getParent();
        Path lock = entry("cache-mounts/" + name + ".lock", hoursAgo, 0);
        FileTime t = FileTime.from(Instant.now().minusSeconds(hoursAgo * 3600L));
        Files.setLastModifiedTime(dir, t);
        Files.setLastModifiedTime(lock, t);
        return dir;
    }

    private static CacheKeyInputs runStep(int index) {
        return CacheKeyInputs.builder(StepIdentity.forStep("Dockerfile", "build", index),
                        StepParent.image(Digest.sha256Of(new byte[] {(byte) index})), "RUN")
                .text("RUN step " + index)
                .instruction("cmd", "/bin/sh", "-c", "step " + index)
                .platform(Platform.of("linux", "amd64"))
                .build();
    }

    /** A layer of ~20 KB of random bytes written into storeA's blobs, as a build's step writes its layer. */
    private LayerBlob randomLayer(int seed) throws Exception {
        Path tree = Files.createTempDirectory(dir, "layer");
        byte[] bytes = new byte[20_000];
        new java.util.Random(seed).nextBytes(bytes);
        Files.write(tree.resolve("noise.bin"), bytes);
        return new LayerWriter(LocalStore.open(storeA).blobs(), new TreeScanner(PosixFiles.system()),
                LayerWriterOptions.of(LayerCompression.gzip(6, 1)).withSourceDateEpoch(0), Runnable::run)
                .writeTree(tree);
    }

    /** The bytes of the distinct blobs storeA's build cache records reference, as prune counts them. */
    private long cacheBytes() throws Exception {
        return FileCacheStore.open(storeA.resolve("cache"), CacheStoreOptions.defaults()).referencedBlobs().stream()
                .mapToLong(Descriptor::size).sum();
    }

    /** The bytes of the git and http sources storeA remembers. */
    private long sourceBytes() throws IOException {
        long total = 0;
        for (String sub : List.of("git-checksums", "http-etags", "git-contexts")) {
            Path top = storeA.resolve(sub);
            if (!Files.isDirectory(top)) {
                continue;
            }
            try (var walk = Files.walk(top)) {
                total += walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
        }
        return total;
    }

    /** A file of {@code size} bytes under the store, last modified {@code hoursAgo}. */
    private Path entry(String path, int hoursAgo, int size) throws IOException {
        Path file = storeA.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[size]);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(hoursAgo * 3600L)));
        return file;
    }

    @Test
    void prune_ofAMissingRoot_failsNamingIt_andCreatesNoStore() throws Exception {
        Path missing = dir.resolve("no-such-store");
        Outcome pruned = wharf("prune", "--root", missing.toString(), "-f");
        assertEquals(1, pruned.exitCode(), pruned.err());
        assertEquals("wharf prune: no store at " + missing + ": the directory does not exist (a build, pull, load "
                + "or import creates it)\n", pruned.err());
        assertFalse(Files.exists(missing), "prune created a store");
    }

    @Test
    void readOnlyCommands_ofAMissingRoot_answerAsAFreshDaemon_andCreateNothing() throws Exception {
        Path missing = dir.resolve("no-such-store");
        String root = missing.toString();
        // docker on a fresh daemon: an empty list, and "No such image" for every image named.
        assertEquals(new Outcome(0, "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n", ""),
                wharf("images", "--root", root));
        assertEquals(new Outcome(0, "", ""), wharf("images", "--root", root, "-q"));
        assertEquals(new Outcome(0, "", ""), wharf("images", "--root", root, "--format", "json"));
        assertEquals(new Outcome(1, "[]\n", "wharf inspect: No such image: demo:1.0\nwharf inspect: No such image: "
                + "other\n"), wharf("inspect", "--root", root, "demo:1.0", "other"));
        assertEquals(new Outcome(1, "", "wharf inspect: No such image: demo:1.0\n"),
                wharf("inspect", "--root", root, "--format", "{{.Id}}", "demo:1.0"));
        assertEquals(new Outcome(1, "", "wharf history: No such image: demo:1.0\n"),
                wharf("history", "--root", root, "demo:1.0"));
        assertEquals(new Outcome(1, "", "wharf tag: No such image: demo:1.0\n"),
                wharf("tag", "--root", root, "demo:1.0", "demo:2"));
        assertEquals(new Outcome(1, "", "wharf rmi: No such image: demo:1.0\n"),
                wharf("rmi", "--root", root, "demo:1.0"));
        assertEquals(new Outcome(0, "", ""), wharf("rmi", "--root", root, "-f", "demo:1.0"));
        assertEquals(new Outcome(1, "", "wharf save: No such image: demo:1.0\n"),
                wharf("save", "--root", root, "demo:1.0", "-o", dir.resolve("out.tar").toString()));
        assertFalse(Files.exists(missing), "a read-only command created a store");
        assertFalse(Files.exists(dir.resolve("out.tar")));
    }

    @Test
    void readOnlyCommands_ofADirectoryThatHoldsNoStore_writeNothingIntoIt() throws Exception {
        // A --root naming an existing directory that is not a store (the home or working directory, mistyped).
        Path notAStore = Files.createDirectories(dir.resolve("notes"));
        Files.writeString(notAStore.resolve("todo.txt"), "x\n");
        String root = notAStore.toString();
        assertEquals(new Outcome(0, "", ""), wharf("images", "--root", root, "-q"));
        assertEquals(new Outcome(1, "[]\n", "wharf inspect: No such image: demo:1.0\n"),
                wharf("inspect", "--root", root, "demo:1.0"));
        assertEquals(new Outcome(1, "", "wharf history: No such image: demo:1.0\n"),
                wharf("history", "--root", root, "demo:1.0"));
        assertEquals(new Outcome(1, "", "wharf tag: No such image: demo:1.0\n"),
                wharf("tag", "--root", root, "demo:1.0", "demo:2"));
        assertEquals(new Outcome(1, "", "wharf rmi: No such image: demo:1.0\n"),
                wharf("rmi", "--root", root, "demo:1.0"));
        assertEquals(new Outcome(1, "", "wharf save: No such image: demo:1.0\n"),
                wharf("save", "--root", root, "demo:1.0", "-o", dir.resolve("out.tar").toString()));
        try (var files = Files.list(notAStore)) {
            // Used to gain wharf.lock, oci-layout, index.json, blobs/ and ingest/.
            assertEquals(List.of(notAStore.resolve("todo.txt")), files.toList());
        }
    }

    @Test
    void prune_ofTheDefaultStoreBeforeAnyBuild_reclaimsNothing_andCreatesNoStore() throws Exception {
        // The default root ($XDG_DATA_HOME/wharf) before first use, as on a fresh CI runner: docker prunes an empty
        // daemon with status 0, so a clean-up step must not fail.
        Path data = Files.createDirectories(dir.resolve("xdg"));
        ProcessBuilder builder = CliHarness.processBuilder("prune", "-f");
        builder.environment().remove("WHARF_ROOT");
        builder.environment().put("XDG_DATA_HOME", data.toString());
        Process prune = builder.redirectErrorStream(true).start();
        String output = new String(prune.getInputStream().readAllBytes());
        assertEquals(0, prune.waitFor(), output);
        assertEquals("Total reclaimed space: 0B\n", output);
        assertFalse(Files.exists(data.resolve("wharf")), "prune created the default store");
    }

    @Test
    void prune_reclaimsTheBlobsOfAnUntaggedImage_andKeepsTaggedOnes() throws Exception {
        ok("load", "--root", storeA.toString(), "-i", seedArchive.toString());
        Digest kept = writeImage(storeA, "other:1", "other greeting\n");
        Outcome nothing = ok("prune", "--root", storeA.toString(), "--grace-period", "0s");
        assertEquals("Total reclaimed space: 0B\n", nothing.out());

        ok("rmi", "--root", storeA.toString(), "demo:1.0");
        Outcome withinGrace = ok("prune", "--root", storeA.toString());
        assertEquals("Total reclaimed space: 0B\n", withinGrace.out(), "blobs younger than 1h are kept");

        Outcome pruned = ok("prune", "--root", storeA.toString(), "--grace-period", "0s");
        assertTrue(pruned.out().startsWith("Deleted blobs:\n"), pruned.out());
        assertTrue(pruned.out().contains(seedImageId.toString()), pruned.out());
        assertTrue(pruned.out().matches("(?s).*\nTotal reclaimed space: [0-9.]+[kM]?B\n"), pruned.out());
        assertFalse(pruned.out().endsWith("space: 0B\n"), pruned.out());
        assertFalse(Files.exists(storeA.resolve("blobs/sha256").resolve(seedImageId.hex())));
        assertEquals(kept.toString(), inspect(storeA, "other:1").get("Id").asText());
        ok("save", "--root", storeA.toString(), "other:1", "-o", dir.resolve("other.tar").toString());
    }

    @Test
    void usageErrors_exitAsDockersDo() {
        String root = storeA.toString();
        // Too few arguments exit 1 and an unknown flag 125, as in the docker CLI; wrong values exit 2.
        assertEquals(1, wharf("inspect", "--root", root).exitCode());
        assertEquals(1, wharf("tag", "--root", root, "demo:1.0").exitCode());
        assertEquals(2, wharf("tag", "--root", root, "demo:1.0", "Bad Name").exitCode());
        assertEquals(1, wharf("rmi", "--root", root).exitCode());
        assertEquals(2, wharf("save", "--root", root, "demo:1.0").exitCode());
        assertEquals(2, wharf("save", "--root", root, "--format", "zip", "demo:1.0", "-o", "x.tar").exitCode());
        assertEquals(125, wharf("load", "--root", root, "--bogus").exitCode());
        assertEquals(2, wharf("prune", "--root", root, "--filter", "dangling=true").exitCode());
        assertEquals(2, wharf("prune", "--root", root, "--keep-storage", "lots").exitCode());
        assertEquals(2, wharf("prune", "--root", root, "--grace-period", "soon").exitCode());
    }

    @Test
    void missingImage_exitsOneWithOneClearLine() throws IOException {
        String root = storeA.toString();
        Outcome inspect = wharf("inspect", "--root", root, "nothere:1");
        assertEquals(1, inspect.exitCode());
        assertEquals("[]\n", inspect.out());
        assertEquals("wharf inspect: No such image: nothere:1\n", inspect.err());

        Outcome tag = wharf("tag", "--root", root, "nothere", "x:1");
        assertEquals(1, tag.exitCode());
        assertEquals("wharf tag: No such image: nothere\n", tag.err());

        Outcome save = wharf("save", "--root", root, "nothere", "-o", dir.resolve("x.tar").toString());
        assertEquals(1, save.exitCode());
        assertEquals("wharf save: No such image: nothere:latest\n", save.err());

        Path absent = dir.resolve("absent.tar");
        Path noStore = dir.resolve("no-store-yet");
        Outcome load = wharf("load", "--root", noStore.toString(), "-i", absent.toString());
        assertEquals(1, load.exitCode());
        // docker load's os.Open error, and no store created for an input that is not there.
        assertEquals("wharf load: open " + absent + ": no such file or directory\n", load.err());
        assertFalse(Files.exists(noStore), "a load of a missing file created the store");

        Path garbage = Files.writeString(dir.resolve("garbage.tar"), "not a tar at all");
        Outcome bad = wharf("load", "--root", root, "-i", garbage.toString());
        assertEquals(1, bad.exitCode());
        assertEquals(1, bad.err().lines().count(), bad.err());
    }

    @Test
    void everyStoreCommand_hasHelpWithExamples() {
        for (String command : List.of("inspect", "tag", "rmi", "load", "save", "prune")) {
            Outcome help = ok(command, "--help");
            assertTrue(help.out().contains("Examples:"), command + ": " + help.out());
            assertTrue(help.out().contains("wharf " + command) || help.out().contains("| wharf " + command),
                    command + ": " + help.out());
        }
        assertTrue(ok("--help").out().contains("prune"));
    }

    @Test
    void sizesAreFormattedAndParsedLikeDocker() {
        assertEquals("0B", ByteSizes.human(0));
        assertEquals("999B", ByteSizes.human(999));
        assertEquals("1kB", ByteSizes.human(1000));
        assertEquals("1.235MB", ByteSizes.human(1_234_567));
        assertEquals(10L * 1024 * 1024 * 1024, ByteSizes.parse("10gb"));
        assertEquals(512L * 1024 * 1024, ByteSizes.parse("512M"));
        assertEquals(100, ByteSizes.parse("100"));
    }

    @Test
    void load_ofAnEmptyStdin_failsAsDockerLoad_andCreatesNoStore() throws Exception {
        Path noStore = dir.resolve("no-store-yet");
        Path empty = Files.writeString(dir.resolve("empty-stdin"), "");
        Process load = CliHarness.processBuilder("load", "--root", noStore.toString())
                .redirectInput(empty.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(load.getInputStream().readAllBytes());
            assertEquals(1, load.waitFor(), output);
            assertEquals("wharf load: requested load from stdin, but stdin is empty\n", output);
            assertFalse(Files.exists(noStore), "a load of an empty stdin created the store");
        } finally {
            load.destroyForcibly();
        }
    }

    @Test
    void load_isAUserOfTheStoreWhileItStages_soABuildStartOrPruneKeepsItsStagedBlobs() throws Exception {
        // A load whose archive arrives slowly on stdin: registered once its first bytes are in (it opens the store
        // only then, so that an empty stdin creates nothing) until it ends.
        Process load = CliHarness.processBuilder("load", "--root", storeA.toString())
                .redirectErrorStream(true).start();
        byte[] archive = Files.readAllBytes(seedArchive);
        try (var stdin = load.getOutputStream()) {
            stdin.write(archive, 0, 512);
            stdin.flush();
            var users = dev.wharf.builder.doctor.StoreDoctor.users(storeA);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (users.oldestAliveSince().isEmpty() && load.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(users.oldestAliveSince().isPresent(), "a running load is no registered user of the store");
            stdin.write(archive, 512, archive.length - 512);
            stdin.close();
            String output = new String(load.getInputStream().readAllBytes());
            assertEquals(0, load.waitFor(), output);
            assertEquals("Loaded image: demo:1.0\n", output);
            assertTrue(users.oldestAliveSince().isEmpty(), "the load's registration outlived it");
        } finally {
            load.destroyForcibly();
        }
    }
}
