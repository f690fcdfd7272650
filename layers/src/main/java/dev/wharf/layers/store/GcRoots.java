package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import java.util.Collection;
import java.util.List;

/**
 * A source of extra garbage-collection roots besides the image index, e.g. the layers and configs the build step
 * cache refers to. Manifests and indexes among the roots are followed like tagged images.
 *
 * <p>Implementations must be thread-safe; {@link #roots()} is called once per collection, under the store lock.
 */
@FunctionalInterface
public interface GcRoots {
    /** Returns the descriptors that must be kept, with everything they reference. */
    Collection<Descriptor> roots() throws LayerException;

    /** Returns a source with no roots. */
    static GcRoots none() {
        return List::of;
    }
}
