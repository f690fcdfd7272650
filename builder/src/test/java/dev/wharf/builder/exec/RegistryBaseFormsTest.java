package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.ManifestResponse;
import dev.wharf.layers.registry.RegistryClient;
import dev.wharf.layers.registry.RegistryOptions;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Base images in the forms other tools push, served by a real registry (docker-registry on a free 127.0.0.1 port):
 * a Docker schema 2 manifest, a non-distributable layer, an index pinned by its digest. Each form is the seed image's
 * manifest rewritten and pushed next to it, over the same blobs; what BuildKit does with each is the expectation
 * (checked against BuildKit on the peers: the same config, history and layer contents).
 */
class RegistryBaseFormsTest extends RegistryEngineFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    RegistryClient client;
    ManifestResponse seedManifest;

    @BeforeEach
    void seedRegistry() throws Exception {
        seedRegistryWithBusybox();
        client = RegistryClient.create(RegistryOptions.defaults());
        seedManifest = client.pullManifest(ImageReference.parse(registry.host() + "/busybox:1"));
    }

    private BuildResult build(BuildEngine engine, String dockerfile, String tag, BuildOutput... outputs)
            throws Exception {
        BuildRequest.Builder request = BuildRequest.builder(context(dockerfile)).tag(tag);
        for (BuildOutput output : outputs) {
            request.output(output);
        }
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    /** Pushes the seed manifest, with {@code edit} applied, under {@code tag}; returns its descriptor. */
    private Descriptor pushVariant(String tag, String mediaType, java.util.function.Consumer<ObjectNode> edit)
            throws Exception {
        ObjectNode manifest = (ObjectNode) JSON.readTree(seedManifest.content());
        manifest.put("mediaType", mediaType);
        edit.accept(manifest);
        byte[] content = JSON.writeValueAsBytes(manifest);
        client.pushManifest(ImageReference.parse(registry.host() + "/busybox:" + tag), content, mediaType);
        return Descriptor.of(mediaType, Digest.sha256Of(content), content.length);
    }

    private static void setLayerTypes(ObjectNode manifest, String type) {
        for (JsonNode layer : manifest.withArray("layers")) {
            ((ObjectNode) layer).put("mediaType", type);
        }
    }

    private List<String> layerTypes(String store, String image) throws Exception {
        LocalStore local = LocalStore.open(temp.resolve(store));
        Descriptor target = local.images().resolve(ImageName.parse(image)).orElseThrow();
        return local.reader().readManifest(target).layers().stream().map(Descriptor::mediaType).toList();
    }

    @Test
    void aDockerSchema2BaseGivesAnOciManifestWithOciLayerTypesLocallyAndPushed() throws Exception {
        pushVariant("docker", MediaTypes.DOCKER_MANIFEST, m -> {
            ((ObjectNode) m.get("config")).put("mediaType", MediaTypes.DOCKER_CONFIG);
            setLayerTypes(m, MediaTypes.DOCKER_LAYER_GZIP);
        });
        BuildEngine engine = engine("fresh");
        String out = registry.host() + "/out:docker";
        build(engine, "FROM " + registry.host() + "/busybox:docker\nRUN echo child > /child\n", out,
                BuildOutput.parse("type=image,push=true,oci-mediatypes=true"));

        // BuildKit's image writer converts the base's Docker layer types for its OCI manifest (never a mix); the
        // store keeps the RUN layer uncompressed until it leaves.
        assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_TAR), layerTypes("fresh", out));
        JsonNode pushed = JSON.readTree(client.pullManifest(ImageReference.parse(out)).content());
        assertEquals(MediaTypes.OCI_MANIFEST, pushed.path("mediaType").asText());
        List<String> pushedTypes = new ArrayList<>();
        pushed.withArray("layers").forEach(l -> pushedTypes.add(l.path("mediaType").asText()));
        assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP), pushedTypes);
        BuildEngine other = engine("other");
        other.pull(out, Optional.empty(), ProgressListener.none());
        assertEquals(List.of("child"), lines(other, out, "cat", "/child"), "the pushed image pulls and runs");

        // Without oci-mediatypes, the push has Docker's types all through, the RUN layer's too.
        String docker = registry.host() + "/out:docker-types";
        build(engine, "FROM " + registry.host() + "/busybox:docker\nRUN echo child > /child\n", docker,
                BuildOutput.parse("type=image,push=true"));
        JsonNode dockerTyped = JSON.readTree(client.pullManifest(ImageReference.parse(docker)).content());
        assertEquals(MediaTypes.DOCKER_MANIFEST, dockerTyped.path("mediaType").asText());
        assertEquals(MediaTypes.DOCKER_CONFIG, dockerTyped.at("/config/mediaType").asText());
        List<String> dockerTypes = new ArrayList<>();
        dockerTyped.withArray("layers").forEach(l -> dockerTypes.add(l.path("mediaType").asText()));
        assertEquals(List.of(MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.DOCKER_LAYER_GZIP), dockerTypes);
    }

    @Test
    void aNonDistributableLayerIsPulledUnpackedAndPushedAsAnOrdinaryLayer() throws Exception {
        pushVariant("nondist", MediaTypes.OCI_MANIFEST,
                m -> setLayerTypes(m, MediaTypes.OCI_FOREIGN_LAYER_GZIP));
        BuildEngine engine = engine("fresh");
        String out = registry.host() + "/out:nondist";
        build(engine, "FROM " + registry.host() + "/busybox:nondist\nRUN ls /bin/busybox > /seen\n", out,
                BuildOutput.parse("type=image,push=true"));

        assertEquals(List.of("/bin/busybox"), lines(engine, out, "cat", "/seen"));
        // BuildKit's ociDesc drops the non-distributable type of a layer without URLs, so the push uploads it
        // (a push skips non-distributable blobs) into a repository that never had it.
        assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_TAR), layerTypes("fresh", out));
        BuildEngine other = engine("other");
        other.pull(out, Optional.empty(), ProgressListener.none());
        assertEquals(List.of("/bin/busybox"), lines(other, out, "cat", "/seen"), "the pushed image pulls and runs");
    }

    @Test
    void anIndexPinnedByItsDigestResolvesFromTheStoreOnTheSecondBuild() throws Exception {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        ObjectNode amd64 = manifests.addObject();
        amd64.put("mediaType", seedManifest.mediaType());
        amd64.put("digest", seedManifest.digest().toString());
        amd64.put("size", seedManifest.content().length);
        amd64.putObject("platform").put("architecture", "amd64").put("os", "linux");
        byte[] content = JSON.writeValueAsBytes(index);
        client.pushManifest(ImageReference.parse(registry.host() + "/busybox:multi"), content, MediaTypes.OCI_INDEX);
        String pinned = registry.host() + "/busybox:multi@" + Digest.sha256Of(content);

        BuildEngine engine = engine("fresh");
        build(engine, "FROM " + pinned + "\nRUN echo one > /one\n", "app:1");
        registry.close();
        registry = null;
        // The index is in the store now: the second build reads it there (it once was read as a manifest, and failed).
        build(engine, "FROM " + pinned + "\nRUN echo two > /two\n", "app:2");
        assertEquals(List.of("two"), lines(engine, "app:2", "cat", "/two"));
    }
}
