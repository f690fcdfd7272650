package dev.wharf.builder.exec;

import static dev.wharf.builder.exec.ExportedFiles.blob;
import static dev.wharf.builder.exec.ExportedFiles.readTar;
import static dev.wharf.builder.exec.ExportedFiles.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.builder.api.RegistrySettings;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.registry.LocalRegistry;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.testing.PeerTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --build-arg BUILDKIT_MULTI_PLATFORM=1}: BuildKit's frontend returns its result per platform and the image
 * writer wraps the one platform's manifest in an OCI index whose entry carries the platform; the push and the oci
 * exports hand out that index, the docker exporter refuses it (the local store keeps the image itself, as the peer's
 * dockerd does). Read back from a real registry (skopeo copies it, verifying every digest) and from the exports.
 */
class MultiPlatformIndexTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = "FROM busybox:latest\nRUN echo app > /app\n";

    @TempDir
    Path temp;

    LocalRegistry registry;
    BuildEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        registry = LocalRegistry.start(Files.createDirectories(temp.resolve("registry")), new LocalRegistry.NoAuth());
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")).withRegistry(RegistrySettings.anonymous()));
        engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))), "busybox:latest");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private BuildResult build(String tag, Map<String, String> args, List<String> annotations, String... outputs)
            throws Exception {
        Path dir = Files.createTempDirectory(temp, "ctx-");
        Files.writeString(dir.resolve("Dockerfile"), APP);
        BuildRequest.Builder request = BuildRequest.builder(dir).tag(tag).buildArgs(args);
        for (String annotation : annotations) {
            ImageAnnotation.parse(annotation).forEach(request::annotation);
        }
        for (String output : outputs) {
            request.output(BuildOutput.parse(output));
        }
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    @Test
    void thePushAndTheTarballsAreAnIndexOfOneManifestWithItsPlatform() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        String app = registry.host() + "/team/multi:1";

        String platform = "linux/" + hostArchitecture();
        BuildResult built = build(app, Map.of("BUILDKIT_MULTI_PLATFORM", "1"), List.of("index:org.example.kind=index",
                        "manifest[" + platform + "]:org.example.kind=platform", "manifest[linux/s390x]:org.example.x=no"),
                "type=registry", "type=oci,dest=" + temp.resolve("oci.tar"),
                "type=oci,tar=false,dest=" + temp.resolve("layout"));

        // The registry's own bytes, for their digest.
        java.net.http.HttpResponse<byte[]> got = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + registry.host()
                        + "/v2/team/multi/manifests/1")).header("Accept", MediaTypes.OCI_INDEX).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode());
        String raw = new String(got.body(), StandardCharsets.UTF_8);
        JsonNode index = JSON.readTree(raw);
        assertEquals(MediaTypes.OCI_INDEX, index.get("mediaType").asText(), raw);
        assertEquals(built.imageDigest(), Digest.sha256Of(got.body()).toString(),
                "the build reports the index it pushed");
        assertEquals(1, index.get("manifests").size(), raw);
        JsonNode entry = index.get("manifests").get(0);
        assertEquals(MediaTypes.OCI_MANIFEST, entry.get("mediaType").asText());
        assertEquals("linux", entry.at("/platform/os").asText(), raw);
        assertEquals(hostArchitecture(), entry.at("/platform/architecture").asText(), raw);
        assertEquals("index", index.at("/annotations/org.example.kind").asText(), "index annotations go in: " + raw);
        JsonNode manifest = JSON.readTree(run(skopeo.toString(), "inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.host() + "/team/multi@" + entry.get("digest").asText()));
        assertEquals(MediaTypes.OCI_LAYER_GZIP, manifest.at("/layers/1/mediaType").asText(),
                "the child is the compressed manifest");
        // writer.go Annotations.Platform(&p): the manifest gets the annotations of its own platform only.
        assertEquals("platform", manifest.at("/annotations/org.example.kind").asText(), manifest.toString());
        assertTrue(manifest.at("/annotations/org.example.x").isMissingNode(), manifest.toString());
        // skopeo resolves the index to this platform's manifest and verifies every blob and diff ID.
        run(skopeo.toString(), "copy", "-q", "--src-tls-verify=false", "docker://" + app,
                "oci:" + temp.resolve("copy") + ":app");

        Map<String, byte[]> oci = readTar(temp.resolve("oci.tar"));
        JsonNode layoutIndex = JSON.readTree(oci.get("index.json"));
        assertEquals(1, layoutIndex.get("manifests").size());
        JsonNode target = layoutIndex.get("manifests").get(0);
        assertEquals(MediaTypes.OCI_INDEX, target.get("mediaType").asText(), layoutIndex.toString());
        assertTrue(target.at("/annotations/org.opencontainers.image.created").isTextual(), target.toString());
        JsonNode archived = JSON.readTree(blob(oci, target.get("digest").asText()));
        String child = archived.at("/manifests/0/digest").asText();
        assertEquals(hostArchitecture(), archived.at("/manifests/0/platform/architecture").asText());
        JsonNode childManifest = JSON.readTree(blob(oci, child));
        assertTrue(oci.containsKey("blobs/" + childManifest.at("/config/digest").asText().replace(':', '/')));
        for (JsonNode layer : childManifest.get("layers")) {
            assertTrue(oci.containsKey("blobs/" + layer.get("digest").asText().replace(':', '/')), layer.toString());
        }

        // An OCI layout directory names the index too; skopeo picks this platform's manifest from it.
        JsonNode layoutDir = JSON.readTree(Files.readAllBytes(temp.resolve("layout/index.json")));
        assertEquals(MediaTypes.OCI_INDEX, layoutDir.at("/manifests/0/mediaType").asText(), layoutDir.toString());
        JsonNode inspected = JSON.readTree(run(skopeo.toString(), "inspect", "oci:" + temp.resolve("layout") + ":1"));
        assertEquals(2, inspected.get("Layers").size(), inspected.toString());

        // The local store keeps the image itself, as dockerd's store under the peer's BuildKit does.
        LocalStore store = LocalStore.open(temp.resolve("store"));
        assertEquals(MediaTypes.OCI_MANIFEST,
                store.images().resolve(ImageName.parse(app)).orElseThrow().mediaType());
    }

    @Test
    void withoutTheArgOrWithFalse_theTarballNamesTheManifest_andABadValueOrADockerOutputFailsTheBuild()
            throws Exception {
        build("app:1", Map.of("BUILDKIT_MULTI_PLATFORM", "0"), List.of(), "type=oci,dest=" + temp.resolve("a.tar"));
        JsonNode index = JSON.readTree(readTar(temp.resolve("a.tar")).get("index.json"));
        assertEquals(MediaTypes.OCI_MANIFEST, index.at("/manifests/0/mediaType").asText(), index.toString());

        ExecutionException e = assertThrows(ExecutionException.class, () -> build("app:1",
                Map.of("BUILDKIT_MULTI_PLATFORM", "maybe"), List.of(), "type=oci,dest=" + temp.resolve("b.tar")));
        assertTrue(e.getCause().getMessage().contains("invalid boolean value for multi-platform: maybe"),
                e.getCause().getMessage());
        // exporter/oci/export.go: "docker exporter does not currently support exporting manifest lists".
        ExecutionException docker = assertThrows(ExecutionException.class, () -> build("app:1",
                Map.of("BUILDKIT_MULTI_PLATFORM", "1"), List.of(), "type=docker,dest=" + temp.resolve("d.tar")));
        assertTrue(docker.getCause().getMessage().contains(
                "docker exporter does not currently support exporting manifest lists"), docker.getCause().getMessage());
        assertTrue(Files.notExists(temp.resolve("d.tar")));
        // Single-platform exports keep refusing index annotations, as BuildKit's writer does.
        ExecutionException annotated = assertThrows(ExecutionException.class, () -> build("app:1", Map.of(),
                List.of("index:org.example.kind=index"), "type=oci,dest=" + temp.resolve("c.tar")));
        assertTrue(annotated.getCause().getMessage().contains("index annotations not supported"),
                annotated.getCause().getMessage());
    }

    private static String hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }
}
