package dev.wharf.builder.plan;

import java.util.Objects;

/**
 * What a stage starts from: nothing ({@code FROM scratch}), an image, a named context's files, or an earlier
 * stage.
 *
 * <p>All implementations are immutable records and thread-safe.
 */
public sealed interface StageBase {

    /** {@code FROM scratch}: an empty filesystem and config. */
    record Scratch() implements StageBase {
    }

    /** {@code FROM image}: the image as the resolver found it. */
    record Image(BaseImage image) implements StageBase {
        public Image {
            Objects.requireNonNull(image, "image");
        }
    }

    /** A named context's files ({@code --build-context NAME=DIR|GIT|URL}), by the context's normalized name. */
    record Context(String name) implements StageBase {
        public Context {
            Objects.requireNonNull(name, "name");
        }
    }

    /** {@code FROM stage}: the result of an earlier stage, by its index. */
    record Stage(int index) implements StageBase {
    }
}
