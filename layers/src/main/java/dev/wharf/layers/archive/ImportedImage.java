package dev.wharf.layers.archive;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.store.ImageName;
import java.util.List;
import java.util.Objects;

/**
 * One image an import stored: what it points to and the names it was given.
 *
 * <p>An immutable record, thread-safe. An image without names (a {@code docker save} entry with no
 * {@code RepoTags}, an OCI index entry without a usable reference name) is complete in the store but unnamed, so
 * the next garbage collection removes it unless the caller tags {@link #target()}.
 *
 * @param target the manifest (or index) descriptor in the store
 * @param configDigest the config digest, Docker's image ID; null when the target is an index
 * @param names the names given to the image in the store, possibly empty
 */
public record ImportedImage(Descriptor target, Digest configDigest, List<ImageName> names) {
    /** Validates and copies. */
    public ImportedImage {
        Objects.requireNonNull(target, "target");
        names = List.copyOf(names);
    }
}
