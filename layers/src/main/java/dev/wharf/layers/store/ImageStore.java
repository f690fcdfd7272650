package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import java.util.List;
import java.util.Optional;

/**
 * A local store of named images: maps {@code name:tag} to a manifest or index descriptor whose content is in the
 * store's blobs.
 *
 * <p>Implementations are thread-safe and safe for several processes sharing one store; each operation is atomic
 * (readers see the names before or after a change, never a torn state).
 */
public interface ImageStore {
    /**
     * Points {@code name} at a manifest or index, replacing what it pointed to before.
     *
     * @param target a descriptor of a manifest or index already stored, with everything it references
     * @throws LayerException if the target is not a manifest or index, or it or a blob it references is missing
     */
    void tag(ImageName name, Descriptor target) throws LayerException;

    /**
     * Keeps a manifest or index under its digest reference {@code repository@<digest>}, as docker keeps a RepoDigest
     * for an image pulled by digest: {@link #list} returns it with that reference as its ref name, and it is a
     * garbage-collection root like a tag, so pruning does not take the image. Keeping it again changes nothing.
     *
     * @param repository the repository it came from, e.g. {@code docker.io/library/alpine}
     * @throws IllegalArgumentException if {@code repository} is not a valid repository name
     * @throws LayerException if the target is not a manifest or index, or it or a blob it references is missing
     */
    void tagDigest(String repository, Descriptor target) throws LayerException;

    /** Returns the descriptor {@code name} points to, or empty if the name is unknown. */
    Optional<Descriptor> resolve(ImageName name) throws LayerException;

    /** Returns all named entries in store order. */
    List<TaggedImage> list() throws LayerException;

    /**
     * Removes a name. The blobs stay until garbage collection finds them unreferenced.
     *
     * @return true if the name existed
     */
    boolean untag(ImageName name) throws LayerException;

    /**
     * Removes a digest reference {@code repository@digest} kept by {@link #tagDigest}.
     *
     * @return true if it existed
     */
    boolean untagDigest(String repository, Digest digest) throws LayerException;
}
