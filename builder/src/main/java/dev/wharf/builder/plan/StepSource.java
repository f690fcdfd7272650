package dev.wharf.builder.plan;

import java.util.Objects;

/**
 * Something a step reads besides its own stage: the stage or image named by {@code COPY --from} or
 * {@code RUN --mount from=}.
 *
 * <p>All implementations are immutable records and thread-safe.
 */
public sealed interface StepSource {

    /** The reference as written. */
    String written();

    /** Another stage of the Dockerfile, by index. */
    record Stage(String written, int index) implements StepSource {
        public Stage {
            Objects.requireNonNull(written, "written");
        }
    }

    /** An image that is not a stage of the Dockerfile. */
    record Image(String written, BaseImage image) implements StepSource {
        public Image {
            Objects.requireNonNull(written, "written");
            Objects.requireNonNull(image, "image");
        }
    }

    /** A named context's files ({@code --build-context}), by the context's normalized name. */
    record Context(String written, String name) implements StepSource {
        public Context {
            Objects.requireNonNull(written, "written");
            Objects.requireNonNull(name, "name");
        }
    }

    /** {@code scratch}: an empty filesystem. */
    record Scratch(String written) implements StepSource {
        public Scratch {
            Objects.requireNonNull(written, "written");
        }
    }
}
