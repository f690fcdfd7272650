package dev.wharf.builder.plan;

import java.util.Objects;

/**
 * What a named build context ({@code --build-context NAME=VALUE}) is to the planner: an image it resolves through
 * the {@link ImageConfigResolver} like a FROM, or files the executor provides under the context's name (a local
 * directory, a git checkout, a download). BuildKit's dockerui {@code NamedContext.Load} returns the same two
 * shapes: a state with an image config, or a state alone.
 *
 * <p>All variants are immutable records and thread-safe.
 */
public sealed interface NamedContextRef {

    /** An image ({@code docker-image://REF}, or an OCI layout's image loaded into the store); scratch is empty. */
    record Image(String reference) implements NamedContextRef {
        public Image {
            Objects.requireNonNull(reference, "reference");
        }
    }

    /** Files without an image config, read by name from the executor. */
    record Files() implements NamedContextRef {
    }
}
