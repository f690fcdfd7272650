package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.blob.BlobWriter;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Pulls an image from a registry into a {@link LocalStore} and names it there: the manifest (by tag or digest),
 * through an index to the requested platform's manifest, then the config and layers, several at once.
 *
 * <p>Immutable and thread-safe. Every document and blob is verified against its digest before it is stored;
 * blobs already in the store are not downloaded again. The local name is set last, so it never points to an
 * incomplete image. When the reference names an index, the index is stored and tagged with only the requested
 * platform's manifest present (the store's walker treats other index children as optional), as containerd does.
 */
public final class ImagePuller {
    private final RegistryClient client;

    /** Makes a puller over a client. */
    public ImagePuller(RegistryClient client) {
        this.client = client;
    }

    /**
     * Pulls {@code reference} for {@code platform} into {@code store} and names it {@code name}.
     *
     * @throws RegistryException if the registry refuses, the image has no manifest for the platform, or content
     *     does not verify
     * @throws LayerException if the store cannot take the content
     */
    public PullResult pull(ImageReference reference, Platform platform, LocalStore store, ImageName name)
            throws LayerException {
        PullResult manifests = pullManifests(reference, platform, store, client.pullManifest(reference));
        int blobs = pullLayers(reference, manifests, store, TransferListener.none());
        store.images().tag(name, manifests.target());
        return new PullResult(manifests.target(), manifests.index(), manifests.manifest(), manifests.config(),
                blobs);
    }

    /**
     * The first half of a pull, what a build needs to plan against an image (BuildKit's "load metadata"): the
     * manifest or index the reference names, the platform's manifest and its config, stored and verified; no
     * layers, no name.
     *
     * @throws RegistryException if the registry refuses, the image has no manifest for the platform, or content
     *     does not verify
     * @throws LayerException if the store cannot take the content
     */
    public PullResult pullMetadata(ImageReference reference, Platform platform, LocalStore store)
            throws LayerException {
        PullResult manifests = pullManifests(reference, platform, store, client.pullManifest(reference));
        Descriptor config = manifests.config();
        int downloaded = 0;
        if (!store.blobs().exists(config.digest())) {
            client.pullBlob(reference, config, store.blobs());
            downloaded = 1;
        }
        return new PullResult(manifests.target(), manifests.index(), manifests.manifest(), config, downloaded);
    }

    /**
     * The documents of a pull, from {@code top}, the manifest or index the reference names as
     * {@link RegistryClient#pullManifest(ImageReference)} returned it (fetched beforehand, e.g. while the store
     * opened): {@code top} and, through an index, the platform's manifest, stored and verified. The config is not
     * fetched: {@link #pullLayers} fetches it with the layers, so a whole-image pull ({@code wharf pull}) spends
     * no round trip on it alone.
     *
     * @return the documents, with {@link PullResult#blobsDownloaded()} 0
     * @throws RegistryException if the registry refuses, the image has no manifest for the platform, or content
     *     does not verify
     * @throws LayerException if the store cannot take the content
     */
    public PullResult pullManifests(ImageReference reference, Platform platform, LocalStore store,
            ManifestResponse top) throws LayerException {
        store(store, top);
        Optional<Descriptor> index = Optional.empty();
        ManifestResponse manifestResponse = top;
        if (MediaTypes.isIndex(top.mediaType())) {
            index = Optional.of(top.descriptor());
            ImageIndex parsed = store.json().read(top.content(), ImageIndex.class, "index of " + reference);
            Descriptor chosen = new PlatformMatcher(platform).select(parsed.manifests()).orElseThrow(
                    () -> new RegistryException("image " + reference.familiar() + " has no manifest for platform "
                            + platform + "; it offers " + platforms(parsed.manifests())));
            if (!MediaTypes.isManifest(chosen.mediaType())) {
                throw new RegistryException("image " + reference.familiar() + ": the entry for " + platform
                        + " has media type " + chosen.mediaType() + ", not an image manifest; nested indexes are "
                        + "not supported");
            }
            manifestResponse = client.pullManifest(reference, chosen.digest());
            if (manifestResponse.content().length != chosen.size()) {
                throw new RegistryException("image " + reference.familiar() + ": manifest " + chosen.digest()
                        + " is " + manifestResponse.content().length + " bytes but the index says " + chosen.size());
            }
            manifestResponse = new ManifestResponse(manifestResponse.content(), chosen.mediaType(),
                    manifestResponse.digest());
            store(store, manifestResponse);
        }
        ImageManifest manifest = store.json().read(manifestResponse.content(), ImageManifest.class,
                "manifest of " + reference);
        Descriptor target = index.orElse(manifestResponse.descriptor());
        return new PullResult(target, index, manifestResponse.descriptor(), manifest.config(), 0);
    }

    /**
     * The second half of a pull: the layers of the manifest {@link #pullMetadata} or {@link #pullManifests} stored,
     * and its config when it is not stored yet, several at once, each verified and streamed into the store; blobs
     * already stored are not downloaded again. {@code listener} hears of the layers only.
     *
     * @return how many blobs (layers, and the config) were downloaded
     * @throws RegistryException if the registry refuses or a blob does not verify (nothing partial is stored)
     * @throws LayerException if the store cannot take the content
     */
    public int pullLayers(ImageReference reference, PullResult metadata, LocalStore store,
            TransferListener listener) throws LayerException {
        ImageManifest manifest = store.reader().readManifest(metadata.manifest());
        List<BoundedTransfers.Transfer> transfers = new ArrayList<>();
        Descriptor config = manifest.config();
        if (!store.blobs().exists(config.digest())) {
            // First: it is small, and whoever reads the image (a build's planner, `wharf inspect`) starts there.
            transfers.add(() -> {
                client.pullBlob(reference, config, store.blobs());
                return true;
            });
        }
        // One transfer per digest (a layer may repeat). Keyed by the digest, not by the Descriptor record: a record's
        // first hashCode links its ObjectMethods bootstrap, milliseconds of a fresh CLI's critical path before the
        // first layer byte, and only the digest names the blob.
        Map<Digest, Descriptor> layers = new LinkedHashMap<>();
        // Non-distributable (foreign) layers are pulled too, as containerd does for BuildKit: a build unpacks every
        // layer, and a registry that accepted the manifest usually holds the blob (an OCI non-distributable layer
        // without URLs must be there). Only a foreign layer the registry lacks (a Windows base layer that lives at
        // its URLs) is left out, as before, so that pulling the metadata of such an image still works.
        for (Descriptor layer : manifest.layers()) {
            layers.putIfAbsent(layer.digest(), layer);
        }
        for (Descriptor blob : layers.values()) {
            transfers.add(() -> {
                long start = System.nanoTime();
                boolean moved = !store.blobs().exists(blob.digest());
                if (moved && MediaTypes.isForeignLayer(blob.mediaType())) {
                    moved = pullForeign(reference, blob, store, listener);
                } else if (moved) {
                    client.pullBlob(reference, blob, store.blobs(), bytes -> listener.blobProgress(blob, bytes));
                }
                listener.blobDone(blob, moved, Duration.ofNanos(System.nanoTime() - start));
                return moved;
            });
        }
        int moved = new BoundedTransfers(client.options().maxConcurrentTransfers()).run(transfers);
        for (Descriptor layer : layers.values()) {
            if (store.blobs().exists(layer.digest())) {
                store.variants().rememberDistributed(layer);
            }
        }
        return moved;
    }

    /** Pulls a foreign layer from the registry; false (not stored) when the registry does not hold it. */
    private boolean pullForeign(ImageReference reference, Descriptor blob, LocalStore store,
            TransferListener listener) throws LayerException {
        try {
            client.pullBlob(reference, blob, store.blobs(), bytes -> listener.blobProgress(blob, bytes));
            return true;
        } catch (RegistryException e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Stores a verified document under its digest. */
    private static void store(LocalStore store, ManifestResponse document) throws LayerException {
        try (BlobWriter writer = store.blobs().writer(document.digest().algorithm())) {
            writer.write(document.content());
            writer.commit(document.content().length, document.digest());
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot store manifest " + document.digest() + ": " + e.getMessage(), e);
        }
    }

    private static String platforms(List<Descriptor> manifests) {
        String list = manifests.stream().filter(d -> d.platform() != null).map(d -> d.platform().toString())
                .distinct().collect(Collectors.joining(", "));
        return list.isEmpty() ? "no platforms" : list;
    }
}
