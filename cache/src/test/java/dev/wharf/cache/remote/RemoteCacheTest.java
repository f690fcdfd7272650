package dev.wharf.cache.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cache.CacheArtifact;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheKeyInputs;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.StepIdentity;
import dev.wharf.cache.StepParent;
import dev.wharf.cache.StepResult;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.registry.LocalRegistry;
import dev.wharf.layers.registry.ManifestResponse;
import dev.wharf.layers.registry.RegistryClient;
import dev.wharf.layers.registry.RegistryOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports records with real layer blobs to a real Distribution registry and to an OCI layout directory, imports them
 * into another blob store, and checks that only the manifest and config move at import while layers come on demand.
 */
class RemoteCacheTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64");

    @TempDir
    Path temp;

    private CacheRecord record(FileBlobStore store, int index, String content, Instant created) throws Exception {
        byte[] bytes = ("layer " + content).getBytes(StandardCharsets.UTF_8);
        BlobInfo info = store.put(bytes);
        LayerBlob layer = new LayerBlob(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, info.digest(), info.size()),
                Digest.sha256Of(("diff " + content).getBytes(StandardCharsets.UTF_8)), bytes.length * 2L);
        CacheKeyInputs inputs = CacheKeyInputs.builder(StepIdentity.forStep("Dockerfile", "0", index),
                        StepParent.image(Digest.sha256Of("base".getBytes(StandardCharsets.UTF_8))), "RUN")
                .text("RUN echo " + content).instruction("cmd", "/bin/sh", "-c", "echo " + content)
                .platform(AMD64).build();
        return CacheRecord.create(inputs, StepResult.of(List.of(layer), "{\"n\":" + index + "}"), created);
    }

    private List<CacheRecord> records(FileBlobStore store) throws Exception {
        return List.of(record(store, 0, "one", Instant.parse("2026-01-02T03:04:05.123456789Z")),
                record(store, 1, "two", Instant.parse("2026-01-02T03:04:06Z")));
    }

    private void assertRoundTrip(RemoteCache cache) throws Exception {
        FileBlobStore a = FileBlobStore.open(temp.resolve("a"));
        List<CacheRecord> exported = records(a);
        cache.save(exported, a);
        FileBlobStore b = FileBlobStore.open(temp.resolve("b"));
        ImportedCache imported = cache.load(b);
        assertEquals(exported.stream().sorted(java.util.Comparator.comparing(CacheRecord::key)).map(r ->
                List.of(r.key(), r.created(), r.result(), r.inputs())).toList(),
                imported.records().stream().map(r -> List.of(r.key(), r.created(), r.result(), r.inputs())).toList());
        Descriptor layer = imported.records().get(0).result().layers().get(0).descriptor();
        assertFalse(b.exists(layer.digest()), "layers are fetched only on demand");
        imported.blobs().fetch(layer, b);
        assertArrayEquals(a.readAllBytes(layer.digest(), 1000), b.readAllBytes(layer.digest(), 1000));
    }

    @Test
    void registryCache_roundTripsRecordsThroughARealRegistry_andTheRegistryAcceptsTheArtifact() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            RegistryClient client = RegistryClient.create(RegistryOptions.defaults());
            RegistryCache cache = new RegistryCache(client, registry.reference("app/cache:main"));
            assertRoundTrip(cache);
            ManifestResponse manifest = client.pullManifest(registry.reference("app/cache:main"));
            String text = new String(manifest.content(), StandardCharsets.UTF_8);
            assertTrue(text.contains("\"artifactType\":\"" + CacheArtifact.CONFIG_MEDIA_TYPE + "\""), text);
            assertEquals(MediaTypes.OCI_MANIFEST, manifest.mediaType());
        }
    }

    @Test
    void registryCache_missingTagIsAnErrorNamingTheReference() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(temp.resolve("registry"), new LocalRegistry.NoAuth())) {
            RegistryCache cache = new RegistryCache(RegistryClient.create(RegistryOptions.defaults()),
                    registry.reference("app/cache:none"));
            LayerException e = assertThrows(LayerException.class,
                    () -> cache.load(FileBlobStore.open(temp.resolve("b"))));
            // BuildKit's registry importer resolves the reference as it is configured: containerd's "REF: not found".
            assertEquals("failed to configure registry cache importer: " + registry.host() + "/app/cache:none: "
                    + "not found", e.getMessage());
            assertFalse(cache.failureIsWarning(e), "BuildKit fails the import step alone");
            assertTrue(cache.failureIsWarning(new LayerException("blob failed")));
        }
    }

    @Test
    void registryCache_importStepNamesTheReferenceAsGiven_withoutTheDefaultTag() throws Exception {
        // The peer (buildx 0.13.1, --cache-from 127.0.0.1:5000/prog14/cache) shows "#4 importing cache manifest from
        // 127.0.0.1:5000/prog14/cache", and "... from prog14nocache" for a Docker Hub short name.
        String given = "127.0.0.1:5000/prog14/cache";
        RegistryCache cache = new RegistryCache(RegistryClient.create(RegistryOptions.defaults()),
                dev.wharf.layers.registry.ImageReference.parse(given), given);
        assertEquals("importing cache manifest from " + given, cache.importName());
        assertEquals("registry " + given + ":latest", cache.describe(), "messages still name the tag it reads");
    }

    @Test
    void layoutCache_roundTripsRecords_andKeepsOtherTagsInTheIndex() throws Exception {
        Path dir = temp.resolve("cache-dir");
        FileBlobStore a = FileBlobStore.open(temp.resolve("other"));
        new LayoutCache(dir, "other").save(List.of(record(a, 5, "five", Instant.EPOCH)), a);
        assertRoundTrip(new LayoutCache(dir, ""));
        String index = Files.readString(dir.resolve("index.json"));
        assertTrue(index.contains("\"org.opencontainers.image.ref.name\":\"latest\""), index);
        assertTrue(index.contains("\"org.opencontainers.image.ref.name\":\"other\""), index);
        assertEquals(1, new LayoutCache(dir, "other").load(FileBlobStore.open(temp.resolve("c"))).records().size());
    }

    @Test
    void layoutCache_corruptConfigIsACacheException() throws Exception {
        Path dir = temp.resolve("cache-dir");
        FileBlobStore a = FileBlobStore.open(temp.resolve("a"));
        new LayoutCache(dir, "").save(records(a), a);
        Digest config = Digest.sha256Of(CacheArtifact.writeConfig(records(a)));
        Path file = dir.resolve("blobs/sha256/" + config.hex());
        file.toFile().setWritable(true);
        Files.writeString(file, "{\"format\":\"wharf-cache-config\",\"version\":1,\"records\":[{}]}");
        // The blob no longer matches its digest: the copy out of the layout refuses it.
        assertThrows(LayerException.class, () -> new LayoutCache(dir, "").load(FileBlobStore.open(temp.resolve("b"))));
    }

    @Test
    void cacheArtifact_rejectsAMalformedRecord_andAnImageConfig() {
        CacheException bad = assertThrows(CacheException.class, () -> CacheArtifact.readConfig(
                "{\"format\":\"wharf-cache-config\",\"version\":1,\"records\":[{\"key\":1}]}"
                        .getBytes(StandardCharsets.UTF_8), "test"));
        assertTrue(bad.getMessage().contains("record 0 is malformed"), bad.getMessage());
        CacheException image = assertThrows(CacheException.class, () -> CacheArtifact.readConfig(
                "{\"architecture\":\"amd64\"}".getBytes(StandardCharsets.UTF_8), "test"));
        assertTrue(image.getMessage().contains("not a wharf cache config"), image.getMessage());
    }

    @Test
    void buildKitsOwnCacheFormat_isRefusedWithTheReasonInBothItsForms() {
        String config = "{\"mediaType\":\"application/vnd.buildkit.cacheconfig.v0\",\"digest\":\"sha256:"
                + "a".repeat(64) + "\",\"size\":12}";
        String layer = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
                + "b".repeat(64) + "\",\"size\":34}";
        // BuildKit's default export: an index listing the layers and the cache config.
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + layer + "," + config + "]}").getBytes(StandardCharsets.UTF_8);
        // image-manifest=true: a manifest whose config is the cache config.
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + config + ",\"layers\":[" + layer + "]}").getBytes(StandardCharsets.UTF_8);
        for (var document : List.of(java.util.Map.entry(index, MediaTypes.OCI_INDEX),
                java.util.Map.entry(manifest, MediaTypes.OCI_MANIFEST))) {
            CacheException e = assertThrows(CacheException.class,
                    () -> CacheManifests.parse(document.getKey(), document.getValue(), "registry r/app:cache"));
            assertTrue(e.getMessage().startsWith("registry r/app:cache is a BuildKit build cache "
                    + "(application/vnd.buildkit.cacheconfig.v0): its records are keyed by BuildKit's LLB vertex "
                    + "digests"), e.getMessage());
        }
    }
}
