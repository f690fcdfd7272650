package dev.wharf.builder.api;

import java.time.Duration;
import java.util.Objects;

/**
 * One progress event of a build, in BuildKit's vocabulary ({@code client.SolveStatus}: vertexes, logs, warnings).
 * Steps are numbered from 1 in the order they start, as BuildKit's plain progress numbers its vertexes.
 *
 * <p>All implementations are immutable records and thread-safe.
 */
public sealed interface BuildEvent {

    /**
     * A step started. Steps that belong to no stage (BuildKit's {@code [internal]} vertexes, e.g.
     * {@code load metadata for docker.io/library/alpine:latest}) have stage {@code internal}, index 0 and count 0.
     *
     * Only BuildKit's vertices are steps: the FROM of an image and the filesystem instructions (RUN, COPY, ADD,
     * WORKDIR); metadata instructions (ENV, LABEL, CMD...) change the config without a step of their own.
     *
     * @param step       the step number, from 1
     * @param stage      the stage's display name ({@code build}, {@code stage-1}); empty in a one-stage Dockerfile
     * @param index      the step's 1-based position among its stage's vertices (FROM is 1)
     * @param count      BuildKit's count of the stage's vertices ({@code cmdTotal}: FROM of an image, RUN, COPY,
     *                   ADD, WORKDIR and ONBUILD triggers)
     * @param name       the instruction as written, e.g. {@code RUN make}
     */
    record StepStarted(int step, String stage, int index, int count, String name) implements BuildEvent {
        public StepStarted {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(name, "name");
        }

        /**
         * The vertex name BuildKit shows: {@code [stage i/n] name}, the index padded to the width of n
         * ({@code [build  3/12] RUN make}), no stage in a one-stage Dockerfile ({@code [2/3] RUN make}), and
         * {@code [internal] name} or just the name for steps outside the stages.
         */
        public String label() {
            if (count == 0) {
                return stage.isEmpty() ? name : "[" + stage + "] " + name;
            }
            String total = Integer.toString(count);
            String position = Integer.toString(index);
            String padded = " ".repeat(Math.max(0, total.length() - position.length())) + position;
            return "[" + (stage.isEmpty() ? "" : stage + " ") + padded + "/" + total + "] " + name;
        }
    }

    /** A step's result came from the cache; nothing ran. */
    record StepCached(int step) implements BuildEvent {
    }

    /**
     * One line of output of a step's command.
     *
     * @param stream  1 for stdout, 2 for stderr (BuildKit's stream numbers)
     * @param elapsed    time since the step started
     * @param terminated whether a newline ended the line in the output: false only for output ending without one
     */
    record StepLog(int step, int stream, String line, Duration elapsed, boolean terminated) implements BuildEvent {
        public StepLog {
            Objects.requireNonNull(line, "line");
            Objects.requireNonNull(elapsed, "elapsed");
        }

        /** A line that a newline ended. */
        public StepLog(int step, int stream, String line, Duration elapsed) {
            this(step, stream, line, elapsed, true);
        }
    }

    /** A step finished successfully (ran or was cached) after {@code duration}. */
    record StepDone(int step, Duration duration) implements BuildEvent {
        public StepDone {
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** A step failed; the build stops. */
    record StepFailed(int step, String message, Duration duration) implements BuildEvent {
        /** The message of a step stopped by the build's cancellation, which printers show as BuildKit's CANCELED. */
        public static final String CANCELLED = "cancelled";

        public StepFailed {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(duration, "duration");
        }

        /** Whether the build's cancellation stopped the step: no error of its own. */
        public boolean cancelled() {
            return message.equals(CANCELLED);
        }
    }

    /**
     * Why a step missed the cache, when the request asked ({@link BuildRequest#explainCache()}): which of its
     * inputs changed since the last build of the same step, one sentence per change.
     */
    record StepCacheMiss(int step, java.util.List<String> reasons) implements BuildEvent {
        public StepCacheMiss {
            reasons = java.util.List.copyOf(reasons);
        }
    }

    /**
     * Byte progress of one transfer of a step (a layer compressed, a blob pulled or pushed), BuildKit's
     * {@code VertexStatus}: sent as it advances, the last time with {@code completed} set.
     *
     * @param id      what moves, e.g. {@code sha256:3f57d9401f8d} or {@code compressing layer}
     * @param current bytes done so far
     * @param total   bytes in all, 0 when unknown
     */
    record Transfer(int step, String id, long current, long total, boolean completed) implements BuildEvent {
        public Transfer {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * A warning about the Dockerfile or the build, e.g. a build check's finding or a cache that could not be read.
     *
     * @param message the one-line text; for a check, BuildKit's short form {@code RuleName: detail (line N)}
     * @param check   the build check finding, when it is one
     * @param step    the step it belongs to (BuildKit's {@code VertexWarning.Vertex}): a build check's finding
     *                belongs to the step {@code [internal] load build definition from Dockerfile}, as BuildKit
     *                attaches lint warnings to the Dockerfile's vertex (frontend/dockerui/config.go); 0 for none
     */
    record Warning(String message, java.util.Optional<Check> check, int step) implements BuildEvent {
        public Warning {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(check, "check");
        }

        /** A warning of no step. */
        public Warning(String message, java.util.Optional<Check> check) {
            this(message, check, 0);
        }

        /** A warning that is not a build check, of no step. */
        public Warning(String message) {
            this(message, java.util.Optional.empty(), 0);
        }

        /** This warning attached to {@code step}. */
        public Warning atStep(int step) {
            return new Warning(message, check, step);
        }
    }

    /**
     * A build check's finding (BuildKit's lint warning, {@code client.VertexWarning}).
     *
     * @param rule        the rule's name, e.g. {@code JSONArgsRecommended}
     * @param description what the rule asks for
     * @param url         its documentation page, or ""
     * @param detail      the finding's message
     * @param file        the Dockerfile's name
     * @param startLine   the first line it is about (1-based), or 0 when it has no location
     * @param endLine     the last line it is about, or 0
     */
    record Check(String rule, String description, String url, String detail, String file, int startLine,
                 int endLine) {
        public Check {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * A blob (an image layer or config) of a pull or push is done, under the step that needed it (the FROM of a
     * pulled base image), or step 0 outside a build ({@code wharf pull}, {@code wharf push}). BuildKit's plain
     * progress shows it as {@code #N sha256:... 3.40MB / 3.40MB 0.3s done}.
     *
     * @param step    the step number, or 0
     * @param digest  the blob's digest
     * @param size    its size in bytes
     * @param moved   true if its bytes were transferred, false if the destination already had it
     * @param elapsed how long it took
     */
    record BlobTransferred(int step, String digest, long size, boolean moved, Duration elapsed)
            implements BuildEvent {
        public BlobTransferred {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(elapsed, "elapsed");
        }
    }

    /**
     * The image a build pushes is written and named in the store, and its pushes come next: the moment BuildKit's
     * image exporter vertex ({@code #N exporting to image}, with {@code exporting layers}, {@code writing image
     * sha256:...} and one {@code naming to NAME} per name) ends, before buildx pushes each name as a vertex of its
     * own ({@code #N+1 pushing NAME with docker}). Told only by a build that pushes; a display shows that vertex
     * here, under {@code step}, so that it comes before the pushes; without a push it shows it after the build.
     *
     * @param step    the vertex's step number (the pushes take the next ones)
     * @param imageId the config digest
     * @param names   the names the image got in the store, in order
     * @param hasLayers whether the image has layers (moby's exporter shows {@code exporting layers} only then)
     * @param layers  how long writing the layers took
     * @param writing how long writing the config and manifests took
     * @param naming  how long naming took, per name
     */
    record ImageWritten(int step, String imageId, java.util.List<String> names, boolean hasLayers, Duration layers,
                        Duration writing, java.util.List<Duration> naming) implements BuildEvent {
        public ImageWritten {
            Objects.requireNonNull(imageId, "imageId");
            names = java.util.List.copyOf(names);
            Objects.requireNonNull(layers, "layers");
            Objects.requireNonNull(writing, "writing");
            naming = java.util.List.copyOf(naming);
        }
    }
}
