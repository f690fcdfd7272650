package dev.wharf.builder.exec;

import static dev.wharf.builder.exec.ExportedFiles.blob;
import static dev.wharf.builder.exec.ExportedFiles.readTar;
import static dev.wharf.builder.exec.ExportedFiles.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.OutputCompression;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.api.RegistrySettings;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.archive.ArchiveImporter;
import dev.wharf.layers.registry.LocalRegistry;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.testing.PeerTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base image whose layers are plain tars (pushed uncompressed, {@code docker save}d, or an OCI layout with
 * {@code application/vnd.oci.image.layer.v1.tar}) keeps them plain when the built image is pushed or exported, as
 * BuildKit keeps a base layer's blob unless {@code force-compression=true}; the layers the build wrote are compressed
 * as the output says. Checked on what left wharf: the real registry's manifest (skopeo copies it, verifying every
 * digest against the config's diff IDs) and the oci/docker tarballs read back.
 */
class UncompressedBaseLayersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    LocalRegistry registry;
    final List<BuildEngine> engines = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        registry = LocalRegistry.start(Files.createDirectories(temp.resolve("registry")), new LocalRegistry.NoAuth());
    }

    @AfterEach
    void tearDown() throws Exception {
        engines.forEach(BuildEngine::close);
        if (registry != null) {
            registry.close();
        }
    }

    private BuildEngine engine(String store) {
        BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve(store))
                .withRegistry(RegistrySettings.anonymous()));
        engines.add(engine);
        return engine;
    }

    private static BuildResult build(BuildEngine engine, Path temp, String dockerfile, String tag,
                                     String... outputs) throws Exception {
        Path dir = Files.createTempDirectory(temp, "ctx-");
        Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        BuildRequest.Builder request = BuildRequest.builder(dir).tag(tag);
        for (String output : outputs) {
            request.output(BuildOutput.parse(output));
        }
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    /** busybox, imported from a rootfs tarball into store "seed" and pushed with plain-tar layers. */
    private String pushUncompressedBase() throws Exception {
        BuildEngine seed = engine("seed");
        seed.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))), "busybox:latest");
        String base = registry.host() + "/plain/busybox:1";
        LocalStore store = LocalStore.open(temp.resolve("seed"));
        store.images().tag(ImageName.parse(base), store.images().resolve(ImageName.parse("busybox:latest"))
                .orElseThrow());
        seed.push(base, new OutputCompression(OutputCompression.Type.UNCOMPRESSED, OptionalInt.empty(), false),
                ProgressListener.none());
        return base;
    }

    @Test
    void aRegistryBaseWithPlainLayers_isPushedAndExportedPlain_theBuildsLayerGzipped() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        String base = pushUncompressedBase();
        JsonNode baseManifest = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + base));
        // wharf push, as docker push, writes Docker's types.
        assertEquals(MediaTypes.DOCKER_LAYER_TAR, baseManifest.at("/layers/0/mediaType").asText(), "the test's base");
        String baseLayer = baseManifest.at("/layers/0/digest").asText();
        BuildEngine fresh = engine("fresh");
        String app = registry.host() + "/team/app:1";
        String dockerfile = "FROM " + base + "\nRUN echo app > /app\n";

        BuildResult pushed = build(fresh, temp, dockerfile, app, "type=registry",
                "type=oci,dest=" + temp.resolve("app-oci.tar"), "type=docker,dest=" + temp.resolve("app-docker.tar"));

        JsonNode manifest = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + app));
        // A push has Docker's types (BuildKit's image exporter without oci-mediatypes), the base layer's plain one.
        assertEquals(MediaTypes.DOCKER_LAYER_TAR, manifest.at("/layers/0/mediaType").asText(), manifest.toString());
        assertEquals(baseLayer, manifest.at("/layers/0/digest").asText(), "the base's very blob");
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, manifest.at("/layers/1/mediaType").asText(), manifest.toString());
        assertEquals(pushed.layers().get(0).digest(), baseLayer, "the build reports what it pushed");
        // skopeo verifies each blob's digest and each diff ID of the config while copying.
        run(skopeo.toString(), "copy", "-q", "--src-tls-verify=false", "docker://" + app,
                "oci:" + temp.resolve("copy") + ":app");

        Map<String, byte[]> oci = readTar(temp.resolve("app-oci.tar"));
        JsonNode index = JSON.readTree(oci.get("index.json"));
        JsonNode ociManifest = JSON.readTree(blob(oci, index.at("/manifests/0/digest").asText()));
        assertEquals(MediaTypes.OCI_LAYER_TAR, ociManifest.at("/layers/0/mediaType").asText());
        assertEquals(baseLayer, ociManifest.at("/layers/0/digest").asText());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, ociManifest.at("/layers/1/mediaType").asText());
        JsonNode config = JSON.readTree(blob(oci, ociManifest.at("/config/digest").asText()));
        assertEquals(baseLayer, config.at("/rootfs/diff_ids/0").asText(), "a plain layer's digest is its diff ID");
        assertTrue(oci.containsKey("blobs/" + baseLayer.replace(':', '/')), oci.keySet().toString());

        Map<String, byte[]> docker = readTar(temp.resolve("app-docker.tar"));
        JsonNode dockerManifest = JSON.readTree(docker.get("manifest.json"));
        assertEquals("blobs/" + baseLayer.replace(':', '/'), dockerManifest.at("/0/Layers/0").asText(),
                dockerManifest.toString());

        BuildResult forced = build(fresh, temp, dockerfile, "app:forced",
                "type=oci,tar=false,force-compression=true,dest=" + temp.resolve("forced"));
        assertEquals(MediaTypes.OCI_LAYER_GZIP, forced.layers().get(0).mediaType(),
                "force-compression gzips the base layer too");
        assertEquals(baseLayer, forced.layers().get(0).diffId());
    }

    @Test
    void aDockerTypedPlainBase_pulledBeforePullsMarkedIt_staysPlainInAPush() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        BuildEngine seed = engine("seed");
        seed.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))), "busybox:latest");
        String base = registry.host() + "/plain/dbase:1";
        build(seed, temp, "FROM busybox:latest\n", base, "type=registry,compression=uncompressed");
        JsonNode baseManifest = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + base));
        assertEquals(MediaTypes.DOCKER_LAYER_TAR, baseManifest.at("/layers/0/mediaType").asText(), "the test's base");
        String baseLayer = baseManifest.at("/layers/0/digest").asText();
        BuildEngine fresh = engine("fresh");
        fresh.pull(base, java.util.Optional.empty(), ProgressListener.none());
        // A store that pulled the base before pulls marked plain layers has no marks: the stored manifest's Docker
        // plain-tar type tells the build instead.
        try (java.util.stream.Stream<Path> marks = Files.walk(temp.resolve("fresh/variants"))) {
            marks.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        // Pushed as it is under another name: the schema 2 manifest, the plain layer not gzipped.
        String copy = registry.host() + "/plain/copy:1";
        LocalStore freshStore = LocalStore.open(temp.resolve("fresh"));
        freshStore.images().tag(ImageName.parse(copy), freshStore.images().resolve(ImageName.parse(base))
                .orElseThrow());
        fresh.push(copy, ProgressListener.none());
        JsonNode copied = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + copy));
        assertEquals(baseManifest, copied, "the same manifest");
        String app = registry.host() + "/team/dapp:1";

        build(fresh, temp, "FROM " + base + "\nRUN echo app > /app\n", app, "type=registry");

        JsonNode manifest = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + app));
        assertEquals(MediaTypes.DOCKER_LAYER_TAR, manifest.at("/layers/0/mediaType").asText(), manifest.toString());
        assertEquals(baseLayer, manifest.at("/layers/0/digest").asText(), "the base's very blob");
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, manifest.at("/layers/1/mediaType").asText(), manifest.toString());
        run(skopeo.toString(), "copy", "-q", "--src-tls-verify=false", "docker://" + app,
                "oci:" + temp.resolve("copy") + ":app");
    }

    @Test
    void aPlainLayerOfAnImportedCache_staysPlainInAnExport_asTheBlobACacheHitBrings() throws Exception {
        Path cache = temp.resolve("cache");
        String dockerfile = "FROM busybox:latest\nRUN echo cached > /cached\n";
        BuildEngine seed = engine("seed");
        Path busybox = BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox")));
        seed.importImage(busybox, "busybox:latest");
        Path seedContext = Files.createTempDirectory(temp, "ctx-");
        Files.writeString(seedContext.resolve("Dockerfile"), dockerfile);
        seed.build(BuildRequest.builder(seedContext).tag("app:1").cacheTo(dev.wharf.builder.api.CacheDestination
                .parse("type=local,dest=" + cache + ",mode=max,compression=uncompressed")).build())
                .get(5, TimeUnit.MINUTES);
        BuildEngine fresh = engine("fresh");
        // The same base, so the cache's record matches.
        fresh.importImage(busybox, "busybox:latest");
        Path context = Files.createTempDirectory(temp, "ctx-");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);

        BuildResult built = fresh.build(BuildRequest.builder(context).tag("app:1")
                .cacheFrom(dev.wharf.builder.api.CacheSource.parse("type=local,src=" + cache))
                .output(BuildOutput.parse("type=oci,tar=false,dest=" + temp.resolve("layout"))).build())
                .get(5, TimeUnit.MINUTES);

        // The RUN layer came from the cache as a plain tar: kept so, where the rootfs-imported base is gzipped.
        assertEquals(MediaTypes.OCI_LAYER_GZIP, built.layers().get(0).mediaType(), built.layers().toString());
        assertEquals(MediaTypes.OCI_LAYER_TAR, built.layers().get(1).mediaType(), built.layers().toString());
        assertEquals(built.layers().get(1).diffId(), built.layers().get(1).digest());
    }

    @Test
    void anOciLayoutBaseWithPlainLayers_loadedIntoTheStore_staysPlainInAnOciExport() throws Exception {
        Path umoci = PeerTools.require("umoci");
        BuildEngine seed = engine("seed");
        seed.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))), "busybox:latest");
        Path baseLayout = temp.resolve("base-layout");
        build(seed, temp, "FROM busybox:latest\n", "base:1",
                "type=oci,tar=false,compression=uncompressed,dest=" + baseLayout);
        BuildEngine fresh = engine("fresh");
        LocalStore freshStore = LocalStore.open(temp.resolve("fresh"));
        // wharf load's path: the layout's image into the store, named here.
        freshStore.images().tag(ImageName.parse("plainbase:1"),
                ArchiveImporter.into(freshStore).importFrom(baseLayout).images().get(0).target());
        Path layout = temp.resolve("app-layout");

        BuildResult built = build(fresh, temp, "FROM plainbase:1\nRUN echo app > /app\n", "app:1",
                "type=oci,tar=false,dest=" + layout);

        assertEquals(MediaTypes.OCI_LAYER_TAR, built.layers().get(0).mediaType(), built.layers().toString());
        assertEquals(built.layers().get(0).diffId(), built.layers().get(0).digest());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, built.layers().get(1).mediaType(), built.layers().toString());
        Path bundle = temp.resolve("bundle");
        run(umoci.toString(), "unpack", "--image", layout + ":1", bundle.toString());
        assertEquals("app\n", Files.readString(bundle.resolve("rootfs/app")));
        assertTrue(Files.exists(bundle.resolve("rootfs/bin/busybox")), "the plain base layer unpacked");
    }

    @Test
    void aRootfsImportedBase_isStillCompressed_asDockerPushCompressesAnImportedImage() throws Exception {
        BuildEngine seed = engine("seed");
        seed.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))), "busybox:latest");

        BuildResult built = build(seed, temp, "FROM busybox:latest\nRUN echo app > /app\n", "app:1",
                "type=oci,tar=false,dest=" + temp.resolve("layout"));

        for (BuildResult.Layer layer : built.layers()) {
            assertEquals(MediaTypes.OCI_LAYER_GZIP, layer.mediaType(), built.layers().toString());
        }
    }
}
