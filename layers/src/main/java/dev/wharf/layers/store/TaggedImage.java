package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import java.util.Objects;

/**
 * One named entry of an image store: the reference name and the manifest (or index) descriptor it points to.
 *
 * <p>An immutable record, thread-safe. {@code refName} is the raw {@code org.opencontainers.image.ref.name}
 * annotation: {@code name:tag} for entries wharf wrote, possibly a bare tag for layouts written by other tools.
 *
 * @param refName the reference name, e.g. {@code app:1.0}
 * @param descriptor the manifest or index descriptor, including its annotations
 */
public record TaggedImage(String refName, Descriptor descriptor) {
    /** Validates. */
    public TaggedImage {
        Objects.requireNonNull(refName, "refName");
        Objects.requireNonNull(descriptor, "descriptor");
    }
}
