package dev.wharf.cache;

import java.util.Objects;

/**
 * One input of a step that differs from the previous build of the same step.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param reason the kind of input
 * @param subject which input of that kind: the ARG name, the source name, the changed instruction fields (comma
 *     separated); "" when the kind has only one input
 * @param before the previous value as text, or null if the input was absent
 * @param after the current value as text, or null if the input is absent now
 */
public record InputChange(CacheMissReason reason, String subject, String before, String after) {
    /** Validates. */
    public InputChange {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(subject, "subject");
    }

    /** Returns a one-sentence description for users, e.g. {@code ARG VERSION changed: "1" -> "2"}. */
    public String describe() {
        return reason.describe(this);
    }

    @Override
    public String toString() {
        return describe();
    }
}
