package dev.wharf.cache;

import java.util.Objects;

/**
 * Which step of which build a cache entry belongs to, e.g. {@code Dockerfile#build#3}: the selector under which
 * {@link CacheStore#explainMiss} finds the previous build of "the same step" to compare against.
 *
 * <p>An immutable record, thread-safe. The identity is not part of the {@link CacheKey} (see
 * {@link KeyExclusions#STEP_IDENTITY}): two equal steps in different places share one cache entry, as in BuildKit.
 *
 * @param selector an opaque, non-empty string chosen by the caller; equal selectors mean "the same step"
 */
public record StepIdentity(String selector) {
    /** Validates. */
    public StepIdentity {
        Objects.requireNonNull(selector, "selector");
        if (selector.isEmpty()) {
            throw new IllegalArgumentException("step identity selector is empty");
        }
        TextChecks.wellFormed(selector, "step identity selector");
    }

    /** Makes an identity from a selector. */
    public static StepIdentity of(String selector) {
        return new StepIdentity(selector);
    }

    /**
     * Makes the conventional identity of a Dockerfile step: {@code <dockerfile path>#<stage>#<step index>}.
     *
     * @param dockerfile the Dockerfile's path as given on the command line
     * @param stage the stage name, or its index as text if unnamed
     * @param stepIndex the 0-based index of the instruction within the stage
     */
    public static StepIdentity forStep(String dockerfile, String stage, int stepIndex) {
        if (stepIndex < 0) {
            throw new IllegalArgumentException("negative step index " + stepIndex);
        }
        return new StepIdentity(dockerfile + "#" + stage + "#" + stepIndex);
    }

    @Override
    public String toString() {
        return selector;
    }
}
