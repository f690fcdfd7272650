package dev.wharf.builder.exec;

import static dev.wharf.builder.exec.ExportedFiles.run;
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
import dev.wharf.builder.api.ImageSummary;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.api.PushSummary;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.store.GcOptions;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.testing.PeerTools;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lazy layer compression end to end, as {@code docker build} with BuildKit does it: a build keeps its layers
 * uncompressed in the store, and a push or an OCI/docker export compresses them as the output says (gzip by
 * default, zstd, uncompressed, {@code force-compression}); pushed images are accepted by skopeo with matching
 * digests, a second push compresses and uploads nothing, and the compressed blobs live as long as their image.
 * A real docker-registry on a free port; skopeo and umoci as independent readers.
 */
class LazyCompressionTest extends RegistryEngineFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void importBusybox() throws Exception {
        engineWithBusybox("store", "busybox:latest"); // the building engine: engines.get(0)
    }

    private BuildResult build(String dockerfile, String tag, String... outputs) throws Exception {
        BuildRequest.Builder request = BuildRequest.builder(context(dockerfile)).tag(tag).listener(events::add);
        for (String output : outputs) {
            request.output(BuildOutput.parse(output));
        }
        return engines.get(0).build(request.build()).get(5, TimeUnit.MINUTES);
    }

    private static final String APP = "FROM busybox:latest\nRUN echo app > /app && seq 1 20000 > /numbers\n";

    @Test
    void aBuildStoresItsLayersUncompressed_theirDigestBeingTheDiffId() throws Exception {
        BuildResult built = build(APP, "app:1");

        assertEquals(2, built.layers().size());
        for (BuildResult.Layer layer : built.layers()) {
            assertEquals(MediaTypes.OCI_LAYER_TAR, layer.mediaType(), built.layers().toString());
            assertEquals(layer.diffId(), layer.digest(), "an uncompressed layer's digest is its diff ID");
        }
        LocalStore store = LocalStore.open(temp.resolve("store"));
        ImageManifest manifest = store.reader().readManifest(
                store.images().resolve(ImageName.parse("app:1")).orElseThrow());
        assertEquals(built.layers().get(1).digest(), manifest.layers().get(1).digest().toString());
    }

    @Test
    void aPushGivesGzipLayersThatSkopeoVerifies_andASecondPushCompressesAndUploadsNothing() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        String app = registry.host() + "/team/app:1.0";
        BuildResult built = build(APP, app, "type=registry");

        LocalStore store = LocalStore.open(temp.resolve("store"));
        Descriptor local = store.images().resolve(ImageName.parse(app)).orElseThrow();
        assertNotEquals(local.digest().toString(), built.imageDigest(),
                "the pushed manifest names compressed layers, the local one uncompressed ones (as docker)");
        // A push has Docker's media types (BuildKit's image exporter without oci-mediatypes).
        assertTrue(built.layers().stream().allMatch(l -> l.mediaType().equals(MediaTypes.DOCKER_LAYER_GZIP)),
                built.layers().toString());
        String runLayer = "pushing layer " + built.layers().get(1).diffId().substring(7, 19);
        assertTrue(events.stream().anyMatch(e -> e instanceof BuildEvent.Transfer t && !t.completed()
                && t.id().equals(runLayer) && t.total() > 0), "the push step reports the compression: " + events);

        JsonNode inspect = JSON.readTree(run(skopeo.toString(), "inspect", "--tls-verify=false", "docker://" + app));
        assertEquals(built.imageDigest(), inspect.get("Digest").asText());
        List<String> diffIds = built.layers().stream().map(BuildResult.Layer::diffId).toList();
        JsonNode raw = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + app));
        for (int i = 0; i < diffIds.size(); i++) {
            assertEquals(MediaTypes.DOCKER_LAYER_GZIP, raw.get("layers").get(i).get("mediaType").asText());
            assertEquals(built.layers().get(i).digest(), raw.get("layers").get(i).get("digest").asText());
        }
        // skopeo checks every blob's digest and the config's diff IDs against the decompressed layers while copying.
        Path copy = temp.resolve("skopeo-copy");
        run(skopeo.toString(), "copy", "-q", "--src-tls-verify=false", "docker://" + app, "oci:" + copy + ":app");

        long variants;
        try (var files = Files.list(temp.resolve("store/variants"))) {
            variants = files.count();
        }
        PushSummary again = engines.get(0).push(app, ProgressListener.none());
        assertEquals(0, again.blobsUploaded(), "every blob is already in the registry");
        assertEquals(built.imageDigest(), again.digest(), "the same compressed blobs, so the same manifest");
        try (var files = Files.list(temp.resolve("store/variants"))) {
            assertEquals(variants, files.count(), "nothing was compressed again");
        }

        ImageSummary pulled = engine("other").pull(app, Optional.empty(), ProgressListener.none());
        assertEquals(built.imageDigest(), pulled.digest());
        assertEquals(built.imageId(), pulled.imageId(), "compression leaves the config and image id alone");
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, engines.get(1).run(app, List.of("cat", "/app"), (s, line) -> out.add(line)));
        assertEquals(List.of("app"), out);
    }

    @Test
    void zstdOutput_pushesZstdLayersAtTheGivenLevel_thatAFreshStorePullsAndRuns() throws Exception {
        String app = registry.host() + "/team/zstd:1";
        BuildResult built = build(APP, app, "type=image,push=true,compression=zstd,compression-level=9");

        assertTrue(built.layers().stream().allMatch(l -> l.mediaType().equals(MediaTypes.OCI_LAYER_ZSTD)),
                built.layers().toString());
        LocalStore store = LocalStore.open(temp.resolve("store"));
        try (InputStream in = store.blobs().open(Digest.parse(built.layers().get(1).digest()))) {
            byte[] magic = in.readNBytes(4);
            assertEquals(0x28, magic[0] & 0xff, "zstd magic");
            assertEquals(0xfd, magic[3] & 0xff, "zstd magic");
        }
        assertTrue(Files.exists(temp.resolve("store/variants").resolve(
                built.layers().get(1).diffId().replace(':', '.') + "-zstd-9.json")));
        engine("other").pull(app, Optional.empty(), ProgressListener.none());
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, engines.get(1).run(app, List.of("cat", "/app"), (s, line) -> out.add(line)));
        assertEquals(List.of("app"), out);
    }

    @Test
    void ociExport_isGzipByDefault_andSkopeoAndUmociReadIt() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        Path umoci = PeerTools.require("umoci");
        Path layout = temp.resolve("layout");
        BuildResult built = build(APP, "app:1", "type=oci,tar=false,dest=" + layout);

        // As BuildKit's client/ociindex names the entry: ref.name is the tag alone.
        JsonNode inspect = JSON.readTree(run(skopeo.toString(), "inspect", "oci:" + layout + ":1"));
        assertEquals(built.imageDigest(), inspect.get("Digest").asText(),
                "an image only exported reports the exported digest");
        JsonNode manifest = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "oci:" + layout + ":1"));
        for (JsonNode layer : manifest.get("layers")) {
            assertEquals(MediaTypes.OCI_LAYER_GZIP, layer.get("mediaType").asText());
        }
        Path copy = temp.resolve("skopeo-copy");
        run(skopeo.toString(), "copy", "-q", "oci:" + layout + ":1", "oci:" + copy + ":app");
        Path bundle = temp.resolve("bundle");
        run(umoci.toString(), "unpack", "--image", layout + ":1", bundle.toString());
        assertEquals("app\n", Files.readString(bundle.resolve("rootfs/app")));
    }

    @Test
    void forceCompression_recompressesABaseLayerCompressedOtherwise_withoutItTheBaseLayerIsKept() throws Exception {
        // A gzip base: busybox pushed (compressed on the way out) and pulled back into the building store.
        String base = registry.host() + "/busybox:1";
        LocalStore store = LocalStore.open(temp.resolve("store"));
        store.images().tag(ImageName.parse(base), store.images().resolve(ImageName.parse("busybox:latest"))
                .orElseThrow());
        engines.get(0).push(base, ProgressListener.none());
        BuildEngine fresh = engine("fresh");
        fresh.pull(base, Optional.empty(), ProgressListener.none());
        engines.remove(fresh);
        engines.add(0, fresh);
        String dockerfile = "FROM " + base + "\nRUN echo app > /app\n";

        BuildResult kept = build(dockerfile, "app:1", "type=oci,tar=false,dest=" + temp.resolve("kept")
                + ",compression=zstd");
        assertEquals(MediaTypes.OCI_LAYER_GZIP, kept.layers().get(0).mediaType(), "the base layer stays gzip");
        assertEquals(MediaTypes.OCI_LAYER_ZSTD, kept.layers().get(1).mediaType());

        BuildResult forced = build(dockerfile, "app:1", "type=oci,tar=false,dest=" + temp.resolve("forced")
                + ",compression=zstd,force-compression=true");
        assertEquals(MediaTypes.OCI_LAYER_ZSTD, forced.layers().get(0).mediaType(), "the base layer recompressed");
        assertEquals(kept.layers().get(0).diffId(), forced.layers().get(0).diffId());
        assertEquals(kept.layers().get(1).digest(), forced.layers().get(1).digest(), "one zstd variant, reused");

        BuildResult plain = build(dockerfile, "app:1", "type=oci,tar=false,dest=" + temp.resolve("plain")
                + ",compression=uncompressed,force-compression=true");
        for (BuildResult.Layer layer : plain.layers()) {
            assertEquals(MediaTypes.OCI_LAYER_TAR, layer.mediaType());
            assertEquals(layer.diffId(), layer.digest());
        }
    }

    @Test
    void compressedVariantsLiveAsLongAsTheirImage_thenGarbageCollectionRemovesThem() throws Exception {
        String app = registry.host() + "/team/gc:1";
        BuildResult built = build(APP, app, "type=registry");
        Digest compressed = Digest.parse(built.layers().get(1).digest());
        LocalStore store = LocalStore.open(temp.resolve("store"));

        store.garbageCollector().collect(GcOptions.defaults().withGracePeriod(Duration.ZERO));
        assertTrue(store.blobs().exists(compressed), "kept while the image that needs it is named");

        store.images().untag(ImageName.parse(app));
        store.garbageCollector().collect(GcOptions.defaults().withGracePeriod(Duration.ZERO));
        assertFalse(store.blobs().exists(compressed), "removed with its image");
        assertFalse(store.blobs().exists(Digest.parse(built.layers().get(1).diffId())));
    }
}
