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
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.testing.PeerTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The media types of what leaves wharf, as BuildKit's exporters write them: Docker's for a push and a docker tarball
 * unless {@code oci-mediatypes=true}, OCI's for an oci tarball or layout, OCI whatever the option when layers are zstd
 * or an index or descriptor annotation is asked for, a Docker manifest list for {@code BUILDKIT_MULTI_PLATFORM}.
 * Checked on the real registry's documents ({@code skopeo inspect --raw}, {@code skopeo copy} verifying every digest)
 * and the tarballs read back; the local store keeps OCI.
 */
class OutputMediaTypesTest extends RegistryEngineFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BuildResult build(BuildEngine engine, String dockerfile, String tag, Map<String, String> args,
                              String... outputs) throws Exception {
        BuildRequest.Builder request = BuildRequest.builder(context(dockerfile)).tag(tag);
        args.forEach(request::buildArg);
        for (String output : outputs) {
            request.output(BuildOutput.parse(output));
        }
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    private JsonNode raw(String reference) throws Exception {
        return JSON.readTree(run(PeerTools.require("skopeo").toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + reference));
    }

    private static void assertTypes(JsonNode manifest, String manifestType, String configType, String layerType) {
        assertEquals(manifestType, manifest.path("mediaType").asText(), manifest.toString());
        assertEquals(configType, manifest.at("/config/mediaType").asText(), manifest.toString());
        for (JsonNode layer : manifest.path("layers")) {
            assertEquals(layerType, layer.path("mediaType").asText(), manifest.toString());
        }
    }

    @Test
    void aPush_hasDockerTypes_unlessOciMediatypes_andZstdForcesOci() throws Exception {
        BuildEngine engine = engineWithBusybox("store", "busybox:latest");
        String dockerfile = "FROM busybox:latest\nRUN echo app > /app\n";
        String app = registry.host() + "/team/app";

        BuildResult docker = build(engine, dockerfile, app + ":docker", Map.of(), "type=registry");
        BuildResult oci = build(engine, dockerfile, app + ":oci", Map.of(), "type=registry,oci-mediatypes=true");
        build(engine, dockerfile, app + ":zstd", Map.of(), "type=image,push=true,compression=zstd,oci-mediatypes=false");
        build(engine, dockerfile, app + ":plain", Map.of(), "type=registry,compression=uncompressed");

        JsonNode dockerManifest = raw(app + ":docker");
        assertTypes(dockerManifest, MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG, MediaTypes.DOCKER_LAYER_GZIP);
        assertEquals(docker.imageDigest(), run(PeerTools.require("skopeo").toString(), "inspect", "--format",
                "{{.Digest}}", "--tls-verify=false", "docker://" + app + ":docker").trim(),
                "the build reports the pushed manifest's digest");
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, docker.layers().get(1).mediaType());
        assertTypes(raw(app + ":oci"), MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER_GZIP);
        assertTrue(!docker.imageDigest().equals(oci.imageDigest()), "the types are part of the manifest");
        assertEquals(docker.imageId(), oci.imageId(), "the same config");
        assertTypes(raw(app + ":zstd"), MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER_ZSTD);
        assertTypes(raw(app + ":plain"), MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG,
                MediaTypes.DOCKER_LAYER_TAR);
        // skopeo verifies each blob and the config's diff IDs while copying.
        run(PeerTools.require("skopeo").toString(), "copy", "-q", "--src-tls-verify=false",
                "docker://" + app + ":docker", "oci:" + temp.resolve("copy") + ":app");

        // The store keeps its OCI manifest under the tag.
        LocalStore store = LocalStore.open(temp.resolve("store"));
        assertEquals(MediaTypes.OCI_MANIFEST, store.images().resolve(ImageName.parse(app + ":docker")).orElseThrow()
                .mediaType());
    }

    @Test
    void multiPlatform_pushesAManifestList_unlessOci_andDescriptorAnnotationsForceOci() throws Exception {
        BuildEngine engine = engineWithBusybox("store", "busybox:latest");
        String dockerfile = "FROM busybox:latest\nRUN echo app > /app\n";
        String app = registry.host() + "/team/multi";
        Map<String, String> multi = Map.of("BUILDKIT_MULTI_PLATFORM", "1");

        build(engine, dockerfile, app + ":list", multi, "type=registry");
        build(engine, dockerfile, app + ":index", multi, "type=registry,oci-mediatypes=true");
        build(engine, dockerfile, app + ":annotated", multi, "type=registry,annotation-index-descriptor.a=b");

        JsonNode list = raw(app + ":list");
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, list.path("mediaType").asText(), list.toString());
        assertEquals(MediaTypes.DOCKER_MANIFEST, list.at("/manifests/0/mediaType").asText(), list.toString());
        assertTypes(raw(app + "@" + list.at("/manifests/0/digest").asText()), MediaTypes.DOCKER_MANIFEST,
                MediaTypes.DOCKER_CONFIG, MediaTypes.DOCKER_LAYER_GZIP);
        JsonNode index = raw(app + ":index");
        assertEquals(MediaTypes.OCI_INDEX, index.path("mediaType").asText(), index.toString());
        assertEquals(MediaTypes.OCI_MANIFEST, index.at("/manifests/0/mediaType").asText(), index.toString());
        JsonNode annotated = raw(app + ":annotated");
        assertEquals(MediaTypes.OCI_INDEX, annotated.path("mediaType").asText(), annotated.toString());
    }

    @Test
    void tarballs_dockerHasDockerTypes_ociHasOci_eachAsItsOptionSays() throws Exception {
        BuildEngine engine = engineWithBusybox("store", "busybox:latest");
        String dockerfile = "FROM busybox:latest\nRUN echo app > /app\n";

        build(engine, dockerfile, "app:1", Map.of(), "type=docker,dest=" + temp.resolve("docker.tar"),
                "type=oci,dest=" + temp.resolve("oci.tar"),
                "type=docker,oci-mediatypes=true,dest=" + temp.resolve("docker-oci.tar"),
                "type=oci,tar=false,oci-mediatypes=false,dest=" + temp.resolve("layout"));

        assertTypes(archived(temp.resolve("docker.tar")), MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG,
                MediaTypes.DOCKER_LAYER_GZIP);
        assertTypes(archived(temp.resolve("oci.tar")), MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG,
                MediaTypes.OCI_LAYER_GZIP);
        assertTypes(archived(temp.resolve("docker-oci.tar")), MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG,
                MediaTypes.OCI_LAYER_GZIP);
        JsonNode layoutIndex = JSON.readTree(temp.resolve("layout/index.json").toFile());
        assertEquals(MediaTypes.DOCKER_MANIFEST, layoutIndex.at("/manifests/0/mediaType").asText());
        JsonNode layoutManifest = JSON.readTree(temp.resolve("layout/blobs/sha256/"
                + layoutIndex.at("/manifests/0/digest").asText().substring(7)).toFile());
        assertTypes(layoutManifest, MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG,
                MediaTypes.DOCKER_LAYER_GZIP);
        // The docker tarball's manifest.json lists the same layer blobs, which are in the tarball.
        Map<String, byte[]> docker = readTar(temp.resolve("docker.tar"));
        JsonNode manifestJson = JSON.readTree(docker.get("manifest.json"));
        for (JsonNode layer : manifestJson.at("/0/Layers")) {
            assertTrue(docker.containsKey(layer.asText()), layer.asText());
        }
        // umoci reads the OCI-typed tarball's layout.
        Path umoci = PeerTools.require("umoci");
        Path unpacked = Files.createDirectories(temp.resolve("oci-unpacked"));
        run("tar", "-xf", temp.resolve("oci.tar").toString(), "-C", unpacked.toString());
        run(umoci.toString(), "unpack", "--image", unpacked + ":1", temp.resolve("bundle").toString());
        assertEquals("app\n", Files.readString(temp.resolve("bundle/rootfs/app")));
    }

    /** The manifest an archive's index.json names. */
    private static JsonNode archived(Path tarball) throws Exception {
        Map<String, byte[]> files = readTar(tarball);
        JsonNode index = JSON.readTree(files.get("index.json"));
        return JSON.readTree(blob(files, index.at("/manifests/0/digest").asText()));
    }
}
