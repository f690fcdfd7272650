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
 * @param exportTimes how long the exporters' parts took, for the progress display
 */
public record BuildResult(String imageDigest, String imageId, String config, List<Layer> layers, List<String> tags,
                          List<StepTiming> steps, ExportTimes exportTimes) {

    /** A result without export times (all zero). */
    public BuildResult(String imageDigest, String imageId, String config, List<Layer> layers, List<String> tags,
                       List<StepTiming> steps) {
        this(imageDigest, imageId, config, layers, tags, steps, ExportTimes.NONE);
    }

    public BuildResult {
        Objects.requireNonNull(exportTimes, "exportTimes");
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

    /**
     * How long the exporters' parts took after the steps, measured where the work is done, and what each {@code -o}
     * output wrote, so that the progress display can show the exporters' statuses as BuildKit's printer does (a
     * time only when it took over 0.01 s).
     *
     * @param layers  preparing the image's layers and config (moby exporter's {@code exporting layers})
     * @param writing writing the config and manifests ({@code writing image sha256:...})
     * @param naming  each name given to the image, in the order of {@link BuildResult#tags}
     *                ({@code naming to NAME})
     * @param outputs each {@code -o} output's export, in the request's order
     */
    public record ExportTimes(Duration layers, Duration writing, List<Duration> naming, List<OutputExport> outputs) {
        /** No time measured. */
        public static final ExportTimes NONE = new ExportTimes(Duration.ZERO, Duration.ZERO, List.of(), List.of());

        public ExportTimes {
            Objects.requireNonNull(layers, "layers");
            Objects.requireNonNull(writing, "writing");
            naming = List.copyOf(naming);
            outputs = List.copyOf(outputs);
        }

        /** The time of the {@code i}th name, zero when not measured. */
        public Duration naming(int i) {
            return i < naming.size() ? naming.get(i) : Duration.ZERO;
        }

        /** The {@code i}th output's export, {@link OutputExport#NONE} when not measured. */
        public OutputExport output(int i) {
            return i < outputs.size() ? outputs.get(i) : OutputExport.NONE;
        }
    }

    /**
     * What one {@code -o} output's exporter did.
     *
     * @param layers   an oci or docker output's layer compression ({@code exporting layers}), else zero
     * @param writing  writing the files, archive or layout ({@code copying files}, {@code sending tarball}); zero
     *                 for an image output, whose work is the image exporter's
     * @param manifest the digest of the manifest an oci or docker output wrote (its layers compressed as it says),
     *                 else empty
     * @param index    the digest of the index over that manifest ({@code BUILDKIT_MULTI_PLATFORM=1}), else empty
     * @param sent     the bytes a local output's transfer shows ({@code copying files 2.00MB}), else 0
     */
    public record OutputExport(Duration layers, Duration writing, String manifest, String index, long sent) {
        /** Nothing measured or written. */
        public static final OutputExport NONE = new OutputExport(Duration.ZERO, Duration.ZERO, "", "", 0);

        /** An export that shows no size. */
        public OutputExport(Duration layers, Duration writing, String manifest, String index) {
            this(layers, writing, manifest, index, 0);
        }

        public OutputExport {
            Objects.requireNonNull(layers, "layers");
            Objects.requireNonNull(writing, "writing");
            Objects.requireNonNull(manifest, "manifest");
            Objects.requireNonNull(index, "index");
        }
    }
}
