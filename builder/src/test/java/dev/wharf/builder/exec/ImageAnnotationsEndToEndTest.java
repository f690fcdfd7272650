package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.layers.Digest;
import dev.wharf.layers.store.LocalStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --annotation}s through the real engine, as buildx hands them to BuildKit's image exporters: in the manifest
 * (the store's and an OCI layout's), on the manifest's descriptor in the layout's index, platform-limited ones left
 * out of a single-platform image, and index ones refused.
 */
class ImageAnnotationsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void manifestAndDescriptorAnnotations_areWritten_platformLimitedOnesLeftOut() throws Exception {
        Path layout = temp.resolve("layout");
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            BuildRequest.Builder request = copyOfAFile(new BuildOutput("image", java.util.Optional.empty()),
                    BuildOutput.parse("type=oci,tar=false,dest=" + layout));
            ImageAnnotation.parseAll(java.util.List.of("org.example.plain=1", "manifest:org.example.m=2",
                    "manifest-descriptor:org.example.d=3", "manifest[linux/s390x]:org.example.other=4",
                    "manifest[linux/amd64],manifest[linux/arm64]:org.example.host=5")).forEach(request::annotation);
            BuildResult result = engine.build(request.build()).get(2, TimeUnit.MINUTES);

            JsonNode stored = manifest(temp.resolve("store"), result.imageDigest());
            assertEquals(JSON.readTree("{\"org.example.m\":\"2\",\"org.example.plain\":\"1\"}"),
                    stored.path("annotations"));

            JsonNode entry = indexEntry(layout);
            assertEquals("3", entry.path("annotations").path("org.example.d").asText());
            assertFalse(entry.path("annotations").has("org.example.m"), entry.toString());
            assertEquals(stored.path("annotations"), blob(layout, entry).path("annotations"));
        }
    }

    @Test
    void anOutputsOwnAnnotations_goOnItsImageOnly_underTheRequestsOfTheSameKey() throws Exception {
        // buildx writes --annotation into every output's options (commands/build.go), over the output's own keys;
        // each of BuildKit's exporters writes its manifest from its own options.
        Path layout = temp.resolve("layout");
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            BuildRequest.Builder request = copyOfAFile(BuildOutput.parse("type=image,annotation.org.example.Stored=s"),
                    BuildOutput.parse("type=oci,tar=false,dest=" + layout + ",annotation.org.example.own=o,"
                            + "annotation.org.example.both=output,annotation-manifest-descriptor.org.example.d=d"));
            ImageAnnotation.parse("org.example.both=request").forEach(request::annotation);
            BuildResult result = engine.build(request.build()).get(2, TimeUnit.MINUTES);

            assertEquals(JSON.readTree("{\"org.example.Stored\":\"s\",\"org.example.both\":\"request\"}"),
                    manifest(temp.resolve("store"), result.imageDigest()).path("annotations"));
            JsonNode entry = indexEntry(layout);
            assertEquals("d", entry.path("annotations").path("org.example.d").asText());
            assertEquals(JSON.readTree("{\"org.example.both\":\"request\",\"org.example.own\":\"o\"}"),
                    blob(layout, entry).path("annotations"));

            BuildRequest.Builder index = copyOfAFile(
                    BuildOutput.parse("type=oci,dest=" + temp.resolve("i.tar") + ",annotation-index.i=1"));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> engine.build(index.build()).get(2, TimeUnit.MINUTES));
            assertEquals("index annotations not supported for single platform export",
                    assertInstanceOf(EngineException.class, e.getCause()).getMessage());
        }
    }

    @Test
    void imageOutputsWithDifferentAnnotations_eachNameTheirOwnManifest_asBuildKitsSeparateExporters()
            throws Exception {
        // buildx hands every -o to the solve as an exporter of its own (build/opt.go, BuildKit 0.13's multiple
        // exporters): each image exporter writes a manifest from its own options, none sees the other's annotations.
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            BuildRequest.Builder request = copyOfAFile(
                    BuildOutput.parse("type=image,name=first:1,annotation.org.example.k=one"),
                    BuildOutput.parse("type=image,name=second:1,annotation.org.example.k=two,annotation.only=2"));
            BuildResult result = engine.build(request.build()).get(2, TimeUnit.MINUTES);

            LocalStore store = LocalStore.open(temp.resolve("store"));
            String first = store.images().resolve(dev.wharf.layers.store.ImageName.parse("first:1")).orElseThrow()
                    .digest().toString();
            String second = store.images().resolve(dev.wharf.layers.store.ImageName.parse("second:1"))
                    .orElseThrow().digest().toString();
            assertEquals(JSON.readTree("{\"org.example.k\":\"one\"}"),
                    manifest(temp.resolve("store"), first).path("annotations"));
            assertEquals(JSON.readTree("{\"only\":\"2\",\"org.example.k\":\"two\"}"),
                    manifest(temp.resolve("store"), second).path("annotations"));
            // The build's tag and reported image are the first image output's.
            assertEquals(first, store.images().resolve(dev.wharf.layers.store.ImageName.parse("app:1"))
                    .orElseThrow().digest().toString());
            assertEquals(first, result.imageDigest());
        }
    }

    @Test
    void indexAnnotations_failTheBuild_asBuildKitsSinglePlatformExporter() throws Exception {
        Path context = Files.createDirectories(temp.resolve("ctx"));
        try (BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")))) {
            BuildRequest.Builder request = BuildRequest.builder(context).dockerfileText("FROM scratch\n").tag("a:1");
            ImageAnnotation.parse("index:org.example.i=1").forEach(request::annotation);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> engine.build(request.build()).get(2, TimeUnit.MINUTES));
            assertEquals("index annotations not supported for single platform export",
                    assertInstanceOf(EngineException.class, e.getCause()).getMessage());
        }
    }

    /** A request copying one context file into scratch, tagged app:1, to {@code outputs}. */
    private BuildRequest.Builder copyOfAFile(BuildOutput... outputs) throws Exception {
        Path context = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(context.resolve("a.txt"), "a");
        BuildRequest.Builder request = BuildRequest.builder(context).dockerfileText("FROM scratch\nCOPY a.txt /\n")
                .tag("app:1");
        for (BuildOutput output : outputs) {
            request.output(output);
        }
        return request;
    }

    /** The image's entry in the OCI layout's index.json. */
    private static JsonNode indexEntry(Path layout) throws Exception {
        return JSON.readTree(layout.resolve("index.json").toFile()).path("manifests").get(0);
    }

    /** The blob of the layout {@code descriptor} points at, as JSON. */
    private static JsonNode blob(Path layout, JsonNode descriptor) throws Exception {
        return JSON.readTree(layout.resolve("blobs/sha256/"
                + descriptor.path("digest").asText().substring("sha256:".length())).toFile());
    }

    private static JsonNode manifest(Path store, String digest) throws Exception {
        LocalStore local = LocalStore.open(store);
        try (InputStream in = local.blobs().open(Digest.parse(digest))) {
            return JSON.readTree(in);
        }
    }
}
