package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.store.LocalStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pushes an image from a {@link LocalStore} to a registry: blobs first (skipping those the registry has, mounting
 * from another repository when told where they may be), then manifests, then the index, so the tag only appears
 * once everything it references is there. Pushing the same image again uploads nothing.
 *
 * <p>Immutable and thread-safe. The exact stored bytes of manifests and indexes are sent, so digests are kept.
 */
public final class ImagePusher {
    private final RegistryClient client;

    /** Makes a pusher over a client. */
    public ImagePusher(RegistryClient client) {
        this.client = client;
    }

    /** What a push did: the pushed target and how many blobs and manifests were actually uploaded. */
    public record PushResult(Descriptor target, int blobsUploaded, int manifestsUploaded) {
    }

    /**
     * Pushes the manifest or index {@code target} (and everything it references) from the store to
     * {@code destination}, tagging it with the destination's tag (or {@code latest}).
     *
     * @param mountFrom a repository on the same registry that may already hold some of the blobs (e.g. the base
     *     image's), tried with a cross-repository mount before uploading
     * @throws LayerException if a referenced blob is missing from the store (for an index: a child manifest that was
     *     not pulled), or the registry refuses
     */
    public PushResult push(LocalStore store, Descriptor target, ImageReference destination,
            Optional<ImageReference> mountFrom) throws LayerException {
        return push(store, target, destination, mountFrom, TransferListener.none());
    }

    /**
     * Pushes like {@link #push(LocalStore, Descriptor, ImageReference, Optional)}, telling {@code listener} about
     * each config and layer blob as it is done (uploaded, or found already there).
     */
    public PushResult push(LocalStore store, Descriptor target, ImageReference destination,
            Optional<ImageReference> mountFrom, TransferListener listener) throws LayerException {
        ImageReader reader = store.reader();
        ImageReference tagged = destination.digest().isPresent() ? destination : destination.withDefaultTag();
        int blobs = 0;
        int manifests = 0;
        List<Descriptor> manifestDescriptors = new ArrayList<>();
        if (MediaTypes.isIndex(target.mediaType())) {
            ImageIndex index = reader.readIndex(target);
            for (Descriptor child : index.manifests()) {
                if (!store.blobs().exists(child.digest())) {
                    throw new LayerException("cannot push " + tagged + ": the index " + target.digest()
                            + " lists manifest " + child.digest() + " (" + child.platform()
                            + ") which is not in the local store; pull all platforms first or push one platform's "
                            + "manifest");
                }
                manifestDescriptors.add(child);
            }
        } else if (MediaTypes.isManifest(target.mediaType())) {
            manifestDescriptors.add(target);
        } else {
            throw new LayerException("cannot push " + target.digest() + ": media type " + target.mediaType()
                    + " is neither an image manifest nor an index");
        }
        for (Descriptor manifestDescriptor : manifestDescriptors) {
            ImageManifest manifest = reader.readManifest(manifestDescriptor);
            List<Descriptor> referenced = new ArrayList<>();
            referenced.add(manifest.config());
            for (Descriptor layer : manifest.layers()) {
                if (!MediaTypes.isForeignLayer(layer.mediaType())) {
                    referenced.add(layer);
                }
            }
            List<BoundedTransfers.Transfer> transfers = new ArrayList<>();
            for (Descriptor blob : referenced.stream().distinct().toList()) {
                transfers.add(() -> {
                    long start = System.nanoTime();
                    boolean moved = client.pushBlob(tagged, blob, store.blobs(), mountFrom,
                            bytes -> listener.blobProgress(blob, bytes));
                    listener.blobDone(blob, moved, Duration.ofNanos(System.nanoTime() - start));
                    return moved;
                });
            }
            blobs += new BoundedTransfers(client.options().maxConcurrentTransfers()).run(transfers);
            byte[] content = store.blobs().readAllBytes(manifestDescriptor.digest(), ImageReader.MAX_DOCUMENT_SIZE);
            if (manifestDescriptors.size() > 1 || manifestDescriptor != target) {
                manifests += client.pushManifest(tagged.withDigest(manifestDescriptor.digest()), content,
                        manifestDescriptor.mediaType()) ? 1 : 0;
            } else {
                manifests += client.pushManifest(tagged, content, manifestDescriptor.mediaType()) ? 1 : 0;
            }
        }
        if (MediaTypes.isIndex(target.mediaType())) {
            byte[] content = store.blobs().readAllBytes(target.digest(), ImageReader.MAX_DOCUMENT_SIZE);
            manifests += client.pushManifest(tagged, content, target.mediaType()) ? 1 : 0;
        }
        return new PushResult(target, blobs, manifests);
    }
}
