package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.TestImages;
import dev.wharf.layers.testing.PeerTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes and pulls through a real Distribution registry on 127.0.0.1 without auth (with a recording proxy in front
 * where requests are counted), and checks interoperability with skopeo in both directions.
 */
class RegistryRoundTripTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64");

    @TempDir
    static Path registryDir;

    private static LocalRegistry registry;
    private static FaultProxy proxy;

    @TempDir
    Path source;

    @TempDir
    Path target;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = LocalRegistry.start(registryDir, new LocalRegistry.NoAuth());
        proxy = FaultProxy.start(registry.host());
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static RegistryClient client() {
        return RegistryClient.create(RegistryOptions.defaults()
                .withRetry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50))));
    }

    private static ImageReference viaProxy(String pathAndTag) throws InvalidReferenceException {
        return ImageReference.parse(proxy.host() + "/" + pathAndTag);
    }

    @Test
    void push_thenPullIntoAFreshStore_keepsEveryDigest() throws Exception {
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = TestImages.write(from, "a.txt", "b.txt");
        RegistryClient client = client();
        ImageReference ref = registry.reference("roundtrip/app:1.0");

        ImagePusher.PushResult pushed = new ImagePusher(client).push(from, image.manifest(), ref, Optional.empty());
        assertEquals(3, pushed.blobsUploaded(), "config and two layers");
        assertEquals(1, pushed.manifestsUploaded());
        assertEquals(Optional.of(image.manifest().digest()), client.manifestDigest(ref));

        LocalStore to = LocalStore.open(target);
        PullResult pulled = new ImagePuller(client).pull(ref, AMD64, to, ImageName.parse("app:1.0"));
        assertEquals(image.manifest().digest(), pulled.target().digest());
        assertEquals(image.manifest().digest(), pulled.manifest().digest());
        assertEquals(image.config().digest(), pulled.config().digest());
        assertEquals(3, pulled.blobsDownloaded());
        assertTrue(pulled.index().isEmpty());
        for (Digest digest : image.allDigests()) {
            to.blobs().verify(digest);
        }
        assertEquals(image.manifest().digest(), to.images().resolve(ImageName.parse("app:1.0")).orElseThrow()
                .digest());

        PullResult again = new ImagePuller(client).pull(ref, AMD64, to, ImageName.parse("app:again"));
        assertEquals(0, again.blobsDownloaded(), "blobs already in the store are not downloaded again");
    }

    @Test
    void pullManifests_storesTheDocumentsOnly_andPullLayersFetchesTheConfigWithTheLayers() throws Exception {
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = TestImages.write(from, "x.txt", "y.txt");
        RegistryClient client = client();
        ImageReference ref = registry.reference("split/app:1");
        new ImagePusher(client).push(from, image.manifest(), ref, Optional.empty());

        LocalStore to = LocalStore.open(target);
        ImagePuller puller = new ImagePuller(client);
        PullResult manifests = puller.pullManifests(ref, AMD64, to, client.pullManifest(ref));
        assertEquals(image.manifest().digest(), manifests.manifest().digest());
        assertEquals(image.config().digest(), manifests.config().digest());
        assertEquals(0, manifests.blobsDownloaded());
        to.blobs().verify(image.manifest().digest());
        assertFalse(to.blobs().exists(image.config().digest()), "the config waits for the layers' transfers");

        Map<Digest, List<Long>> heard = new ConcurrentHashMap<>();
        assertEquals(3, puller.pullLayers(ref, manifests, to, progressInto(heard)), "the config and two layers");
        for (Digest digest : image.allDigests()) {
            to.blobs().verify(digest);
        }
        assertFalse(heard.containsKey(image.config().digest()), "progress is told of layers only: " + heard);
        assertEquals(2, heard.size(), heard::toString);
        assertEquals(0, puller.pullLayers(ref, manifests, to, progressInto(new ConcurrentHashMap<>())),
                "nothing is fetched twice");
    }

    @Test
    void pushAgain_uploadsNothing() throws Exception {
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = TestImages.write(from, "same.txt", "other.txt");
        ImageReference ref = viaProxy("again/app:v1");
        ImagePusher pusher = new ImagePusher(client());
        pusher.push(from, image.manifest(), ref, Optional.empty());
        List<String> first = proxy.takeRequests();
        assertTrue(first.stream().anyMatch(r -> r.startsWith("PUT /v2/again/app/blobs/uploads/")), first::toString);

        ImagePusher.PushResult second = pusher.push(from, image.manifest(), ref, Optional.empty());
        List<String> requests = proxy.takeRequests();
        assertEquals(0, second.blobsUploaded());
        assertEquals(0, second.manifestsUploaded());
        assertEquals(List.of(), requests.stream().filter(r -> !r.startsWith("HEAD ")).toList(),
                "a second push only asks what is there");
        assertEquals(4, requests.size(), "three blob HEADs and one manifest HEAD: " + requests);
    }

    @Test
    void largeBlob_isUploadedInChunks_andPullsBackIntact() throws Exception {
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = RegistryTestImages.withLayerOfSize(from, AMD64, 300_000, 1);
        RegistryClient client = RegistryClient.create(RegistryOptions.defaults().withChunkedUploads(64 * 1024,
                100_000));
        ImageReference ref = viaProxy("chunked/app:big");
        new ImagePusher(client).push(from, image.manifest(), ref, Optional.empty());
        List<String> requests = proxy.takeRequests();
        long patches = requests.stream().filter(r -> r.startsWith("PATCH ")).count();
        assertEquals(4, patches, "300 000 bytes in 100 000-byte chunks (plus gzip and tar overhead): " + requests);

        LocalStore to = LocalStore.open(target);
        new ImagePuller(client).pull(ref, AMD64, to, ImageName.parse("big:1"));
        to.blobs().verify(image.layers().get(0).digest());
    }

    @Test
    void pushAndPull_reportTheBytesOfEachBlobAsTheyMove_monolithicAndChunked() throws Exception {
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = RegistryTestImages.withLayerOfSize(from, AMD64, 300_000, 2);
        Descriptor layer = from.reader().readManifest(image.manifest()).layers().get(0);
        List<RegistryClient> clients = List.of(client(), RegistryClient.create(RegistryOptions.defaults()
                .withChunkedUploads(64 * 1024, 100_000)));
        for (int i = 0; i < clients.size(); i++) {
            RegistryClient client = clients.get(i);
            ImageReference ref = registry.reference("progress" + i + "/app:1");
            Map<Digest, List<Long>> pushed = new ConcurrentHashMap<>();
            new ImagePusher(client).push(from, image.manifest(), ref, Optional.empty(), progressInto(pushed));
            assertProgress(pushed.get(layer.digest()), layer.size());

            Map<Digest, List<Long>> pulled = new ConcurrentHashMap<>();
            LocalStore to = LocalStore.open(Files.createTempDirectory(target, "progress"));
            PullResult metadata = new ImagePuller(client).pullMetadata(ref, AMD64, to);
            new ImagePuller(client).pullLayers(ref, metadata, to, progressInto(pulled));
            assertProgress(pulled.get(layer.digest()), layer.size());
        }
    }

    private static TransferListener progressInto(Map<Digest, List<Long>> seen) {
        return new TransferListener() {
            @Override
            public void blobDone(Descriptor blob, boolean moved, Duration elapsed) {
            }

            @Override
            public void blobProgress(Descriptor blob, long transferred) {
                seen.computeIfAbsent(blob.digest(), d -> new CopyOnWriteArrayList<>())
                        .add(transferred);
            }
        };
    }

    /** Several reports for a 300 kB layer, never decreasing, ending at its size. */
    private static void assertProgress(List<Long> reports, long size) {
        assertTrue(reports != null && reports.size() > 1, "progress reports: " + reports);
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i) >= reports.get(i - 1), "progress never goes back: " + reports);
        }
        assertEquals(size, reports.get(reports.size() - 1), reports::toString);
    }

    @Test
    void crossRepositoryMount_uploadsNoBytes() throws Exception {
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = TestImages.write(from, "mounted.txt");
        RegistryClient client = client();
        ImagePusher pusher = new ImagePusher(client);
        pusher.push(from, image.manifest(), viaProxy("mount/base:1"), Optional.empty());
        proxy.takeRequests();

        ImagePusher.PushResult result = pusher.push(from, image.manifest(), viaProxy("mount/derived:1"),
                Optional.of(viaProxy("mount/base")));
        List<String> requests = proxy.takeRequests();
        assertEquals(0, result.blobsUploaded(), "every blob was mounted");
        assertEquals(2, requests.stream().filter(r -> r.startsWith("POST /v2/mount/derived/blobs/uploads/"))
                .count(), requests::toString);
        assertFalse(requests.stream().anyMatch(r -> r.startsWith("PUT /v2/mount/derived/blobs/")), requests::toString);
        assertTrue(client.blobExists(viaProxy("mount/derived"), image.layers().get(0).digest()));
    }

    @Test
    void pullOfAnIndex_selectsThePlatform_andTagsTheIndex() throws Exception {
        LocalStore from = LocalStore.open(source);
        RegistryTestImages.MultiPlatform images = RegistryTestImages.multiPlatform(from);
        RegistryClient client = client();
        ImageReference ref = registry.reference("multi/app:1");
        ImagePusher.PushResult pushed = new ImagePusher(client).push(from, images.index(), ref, Optional.empty());
        assertEquals(3, pushed.manifestsUploaded(), "two platform manifests and the index");

        LocalStore to = LocalStore.open(target);
        PullResult pulled = new ImagePuller(client).pull(ref, Platform.of("linux", "arm64"), to,
                ImageName.parse("multi:1"));
        assertEquals(images.index().digest(), pulled.target().digest());
        assertEquals(Optional.of(images.index().digest()), pulled.index().map(Descriptor::digest));
        assertEquals(images.arm64().manifest().digest(), pulled.manifest().digest());
        assertTrue(to.blobs().exists(images.arm64().layers().get(0).digest()));
        assertFalse(to.blobs().exists(images.amd64().layers().get(0).digest()), "other platforms are not pulled");

        RegistryException none = assertThrows(RegistryException.class, () -> new ImagePuller(client).pull(ref,
                Platform.of("linux", "s390x"), LocalStore.open(target.resolve("other")), ImageName.parse("x:1")));
        assertTrue(none.getMessage().contains("no manifest for platform linux/s390x; it offers linux/amd64, "
                + "linux/arm64/v8"), none.getMessage());
    }

    @Test
    void pullByDigest_andUnknownTag_errorsClearly() throws Exception {
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = TestImages.write(from, "bydigest.txt");
        RegistryClient client = client();
        new ImagePusher(client).push(from, image.manifest(), registry.reference("digest/app:1"), Optional.empty());

        ImageReference byDigest = registry.reference("digest/app@" + image.manifest().digest());
        PullResult pulled = new ImagePuller(client).pull(byDigest, AMD64, LocalStore.open(target),
                ImageName.parse("d:1"));
        assertEquals(image.manifest().digest(), pulled.manifest().digest());

        RegistryException missing = assertThrows(RegistryException.class,
                () -> client.pullManifest(registry.reference("digest/app:nope")));
        assertEquals(404, missing.statusCode());
        assertTrue(missing.getMessage().startsWith("pull manifest " + registry.host()
                + "/digest/app:nope: registry answered HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)"),
                missing.getMessage());
    }

    @Test
    void skopeoInspect_seesWhatWharfPushed() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        LocalStore from = LocalStore.open(source);
        TestImages.Written image = TestImages.write(from, "skopeo.txt");
        ImageReference ref = registry.reference("skopeo/pushed:1");
        new ImagePusher(client()).push(from, image.manifest(), ref, Optional.empty());

        JsonNode inspect = new ObjectMapper().readTree(run(skopeo, "inspect", "--tls-verify=false",
                "docker://" + ref));
        assertEquals(image.manifest().digest().toString(), inspect.get("Digest").asText());
        assertEquals(image.layers().get(0).digest().toString(), inspect.get("Layers").get(0).asText());
        byte[] raw = run(skopeo, "inspect", "--raw", "--tls-verify=false", "docker://" + ref);
        assertArrayEquals(from.blobs().readAllBytes(image.manifest().digest(), 1 << 20), raw);
    }

    @Test
    void imagePushedBySkopeo_pullsIntoWharf() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        LocalStore layout = LocalStore.open(source);
        TestImages.Written image = TestImages.write(layout, "from-skopeo.txt");
        layout.images().tag(ImageName.parse("skopeo-src:1"), image.manifest());
        ImageReference ref = registry.reference("skopeo/copied:1");
        run(skopeo, "copy", "--dest-tls-verify=false", "oci:" + source + ":skopeo-src:1", "docker://" + ref);
        byte[] raw = run(skopeo, "inspect", "--raw", "--tls-verify=false", "docker://" + ref);

        LocalStore to = LocalStore.open(target);
        PullResult pulled = new ImagePuller(client()).pull(ref, AMD64, to, ImageName.parse("copied:1"));
        assertEquals(Digest.sha256Of(raw), pulled.manifest().digest());
        for (Descriptor layer : to.reader().readManifest(pulled.manifest()).layers()) {
            to.blobs().verify(layer.digest());
        }
    }

    @Test
    void dockerSchema2ImagePushedBySkopeo_pullsWithItsDockerMediaTypes() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        LocalStore layout = LocalStore.open(source);
        TestImages.Written image = TestImages.write(layout, "v2s2.txt");
        layout.images().tag(ImageName.parse("v2s2-src:1"), image.manifest());
        ImageReference ref = registry.reference("skopeo/v2s2:1");
        run(skopeo, "copy", "--format", "v2s2", "--dest-tls-verify=false", "oci:" + source + ":v2s2-src:1",
                "docker://" + ref);
        byte[] raw = run(skopeo, "inspect", "--raw", "--tls-verify=false", "docker://" + ref);

        LocalStore to = LocalStore.open(target);
        PullResult pulled = new ImagePuller(client()).pull(ref, AMD64, to, ImageName.parse("v2s2:1"));

        assertEquals(MediaTypes.DOCKER_MANIFEST, pulled.manifest().mediaType());
        assertEquals(Digest.sha256Of(raw), pulled.manifest().digest());
        assertEquals(MediaTypes.DOCKER_CONFIG, pulled.config().mediaType());
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, to.reader().readManifest(pulled.manifest()).layers().get(0)
                .mediaType());

        ImageReference copy = registry.reference("skopeo/v2s2-again:1");
        new ImagePusher(client()).push(to, pulled.target(), copy, Optional.empty());
        assertArrayEquals(raw, run(skopeo, "inspect", "--raw", "--tls-verify=false", "docker://" + copy),
                "pushed back byte for byte");
    }

    private static byte[] run(Path tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "skopeo timed out");
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed: " + err);
        return out;
    }
}
