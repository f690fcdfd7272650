package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.ImageReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds every blob reachable from a set of root descriptors: indexes lead to manifests, manifests to their config
 * and layers. Used to check that a tag target is complete and to mark live blobs for garbage collection.
 *
 * <p>Immutable and thread-safe if the provider is. Rules: a manifest's config and layers are required (except
 * foreign layers, which live at their URLs); an index's children are optional, because a local store usually holds
 * only the platform that was pulled. A manifest's {@code subject} is not followed: the subject does not depend on
 * its referrers.
 */
final class ReferenceWalker {
    private final BlobProvider blobs;
    private final ImageReader reader;

    ReferenceWalker(BlobProvider blobs, ImageReader reader) {
        this.blobs = blobs;
        this.reader = reader;
    }

    /** What a walk found: the digests present, and required descriptors whose blobs are missing. */
    record Reachable(Set<Digest> present, List<Descriptor> missing) {
        Reachable {
            present = Set.copyOf(present);
            missing = List.copyOf(missing);
        }
    }

    /**
     * Walks from the roots, which are all required.
     *
     * @throws LayerException if a reachable manifest or index cannot be read or parsed
     */
    Reachable walk(Collection<Descriptor> roots) throws LayerException {
        Set<Digest> present = new TreeSet<>();
        List<Descriptor> missing = new ArrayList<>();
        Set<Digest> visited = new HashSet<>();
        Deque<Edge> pending = new ArrayDeque<>();
        for (Descriptor root : roots) {
            pending.add(new Edge(root, true));
        }
        while (!pending.isEmpty()) {
            Edge edge = pending.removeFirst();
            Descriptor d = edge.target();
            if (!visited.add(d.digest())) {
                continue;
            }
            if (!blobs.exists(d.digest())) {
                if (edge.required() && !MediaTypes.isForeignLayer(d.mediaType())) {
                    missing.add(d);
                }
                continue;
            }
            present.add(d.digest());
            if (MediaTypes.isManifest(d.mediaType())) {
                ImageManifest manifest = reader.readManifest(d);
                pending.add(new Edge(manifest.config(), true));
                for (Descriptor layer : manifest.layers()) {
                    pending.add(new Edge(layer, true));
                }
            } else if (MediaTypes.isIndex(d.mediaType())) {
                ImageIndex index = reader.readIndex(d);
                for (Descriptor child : index.manifests()) {
                    pending.add(new Edge(child, false));
                }
            }
        }
        return new Reachable(present, missing);
    }

    private record Edge(Descriptor target, boolean required) {
    }
}
