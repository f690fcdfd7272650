package dev.wharf.cache;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.layer.LayerBlob;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Sample step inputs and results for the cache tests. */
final class TestSteps {
    static final Platform AMD64 = Platform.of("linux", "amd64");
    static final Digest BASE = digestOf("base image manifest");

    private TestSteps() {
    }

    static Digest digestOf(String text) {
        return Digest.sha256Of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A RUN step of identity {@code Dockerfile#build#<index>} on the base image. */
    static CacheKeyInputs.Builder run(int index, String command) {
        return CacheKeyInputs.builder(StepIdentity.forStep("Dockerfile", "build", index), StepParent.image(BASE),
                        "RUN")
                .text("RUN " + command)
                .instruction("cmd", "/bin/sh", "-c", command)
                .instruction("env", "PATH=/usr/bin:/bin")
                .platform(AMD64);
    }

    /** A COPY step of identity {@code Dockerfile#build#<index>} after {@code parent}. */
    static CacheKeyInputs.Builder copy(int index, CacheKey parent, String source, String content) {
        return CacheKeyInputs.builder(StepIdentity.forStep("Dockerfile", "build", index), StepParent.step(parent),
                        "COPY")
                .text("COPY " + source + " /app/")
                .instruction("src", source)
                .instruction("dest", "/app/")
                .checksum(source, digestOf(content))
                .platform(AMD64);
    }

    /** A layer blob whose digest is derived from {@code name}, of the given compressed size. */
    static LayerBlob layer(String name, long size) {
        Descriptor descriptor = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, digestOf("blob " + name), size);
        return new LayerBlob(descriptor, digestOf("diff " + name), size * 3);
    }

    static StepResult result(String... layerNames) {
        return StepResult.of(java.util.Arrays.stream(layerNames).map(n -> layer(n, 100)).toList(),
                "{\"config\":{\"Env\":[\"A=" + String.join(",", layerNames) + "\"]}}");
    }

    static StepResult result(List<LayerBlob> layers) {
        return StepResult.of(layers, "{}");
    }
}
