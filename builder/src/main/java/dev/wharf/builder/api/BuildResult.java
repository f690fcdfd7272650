package dev.wharf.builder.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a build produced: the image's manifest digest and id (its config digest), the config JSON, its layers, the
 * tags applied, and per-step timings with cache hits and misses.
 *
 * <p>Immutable and thread-safe.
 *
 * @param imageDigest the manifest digest, {@code sha256:...}: of the pushed image when the build pushes (its manifest
 *                    names the compressed layers, BuildKit's {@code containerimage.digest}), else of the OCI or docker
 *                    export when the image is not tagged into the store, else of the local image (whose layers the
 *                    store keeps uncompressed)
 * @param imageId     the config digest, {@code sha256:...} (Docker's image id)
 * @param config      the image config as stored (JSON)
 * @param layers      the layers of the image {@code imageDigest} names, bottom first
 * @param tags        the names the image was tagged with
 * @param steps       every step in execution order
 */
public record BuildResult(String imageDigest, String imageId, String config, List<Layer> layers, List<String> tags,
                          List<StepTiming> steps) {

    public BuildResult {
        Objects.requireNonNull(imageDigest, "imageDigest");
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        tags = List.copyOf(tags);
        steps = List.copyOf(steps);
    }

    /** The number of steps whose result came from the cache. */
    public long cacheHits() {
        return steps.stream().filter(StepTiming::cached).count();
    }

    /** The number of steps that ran. */
    public long cacheMisses() {
        return steps.stream().filter(s -> !s.cached()).count();
    }

    /**
     * One layer of the image.
     *
     * @param digest    the blob's digest (of the tar itself, equal to {@code diffId}, for a layer kept uncompressed)
     * @param diffId    the uncompressed tar's digest
     * @param size      the blob's size in bytes
     * @param mediaType the layer's media type
     */
    public record Layer(String digest, String diffId, long size, String mediaType) {
        public Layer {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(diffId, "diffId");
            Objects.requireNonNull(mediaType, "mediaType");
        }
    }

    /**
     * One step of the build.
     *
     * @param step     the step number, as in the progress events
     * @param stage    the stage's display name
     * @param name     the instruction as written
     * @param cached   true when the result came from the cache
     * @param duration how long the step took
     */
    public record StepTiming(int step, String stage, String name, boolean cached, Duration duration) {
        public StepTiming {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(duration, "duration");
        }
    }
}
