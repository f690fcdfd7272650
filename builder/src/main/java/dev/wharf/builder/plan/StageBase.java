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

    /**
     * {@code FROM image}: the image as the resolver found it; with the name of the {@code docker-image://} named
     * context it came from and that context's reference as written ("" for a plain FROM), which BuildKit's vertex
     * shows ({@code [context img] alpine:3.20}) instead of a FROM step.
     */
    record Image(BaseImage image, String contextName, String contextReference) implements StageBase {
        public Image {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(contextName, "contextName");
            Objects.requireNonNull(contextReference, "contextReference");
        }

        public Image(BaseImage image) {
            this(image, "", "");
        }
    }

    /**
     * A named context's files ({@code --build-context NAME=DIR|GIT|URL}), by the context's normalized name; {@code
     * replaced} when the context has the stage's own name and so replaces the whole stage (toDispatchState's
     * {@code noinit}: the stage keeps the zero image, without platform), not only its base.
     */
    record Context(String name, boolean replaced) implements StageBase {
        public Context {
            Objects.requireNonNull(name, "name");
        }

        public Context(String name) {
            this(name, false);
        }
    }

    /** {@code FROM stage}: the result of an earlier stage, by its index. */
    record Stage(int index) implements StageBase {
    }
}
