package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.OutputCompression;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.api.PushSummary;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.registry.TransferListener;
import dev.wharf.layers.registry.ImagePusher;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pushes an image of the local store to registries under one or more names ({@code wharf push},
 * {@code --push}, {@code -o type=image,push=true}): the image's uncompressed layers are first compressed as the
 * output says ({@link LayerCompressor}; what is pushed is that compressed image, whose manifest digest differs from
 * the local one, as with {@code docker push}), blobs the registry has are not uploaded again, each blob is
 * reported under {@code step} as {@link BuildEvent.Transfer}s while its bytes move and a
 * {@link BuildEvent.BlobTransferred} when done.
 *
 * <p>Immutable; thread-safe.
 */
final class ImagePushes {
    private final dev.wharf.layers.store.LocalStore store;
    private final LayerCompressor compressor;
    private final Registries registries;
    private final ProgressListener listener;

    ImagePushes(dev.wharf.layers.store.LocalStore store, LayerCompressor compressor, Registries registries,
                ProgressListener listener) {
        this.store = store;
        this.compressor = compressor;
        this.registries = registries;
        this.listener = listener;
    }

    /**
     * Pushes {@code target} to every name, in order, reporting under {@code step} (0 outside a build: each blob by
     * its digest; in a build, each layer as {@link PushLayerEvents} shows it); blobs the
     * registry lacks are first mounted from the first of
     * {@code mountSources} (e.g. the build's base images) that lives on the same registry in another repository,
     * so a base image's layers are not uploaded again (docker push does the same); layers are compressed as
     * {@code compression} says.
     *
     * @throws EngineException naming the reference, if a name is no valid reference or the registry refuses
     */
    List<PushSummary> push(Descriptor target, List<String> names, int step, List<ImageReference> mountSources,
                           OutputCompression compression) throws EngineException {
        return push(target, names, step, mountSources, compression, compressed -> compressed);
    }

    /** A push to {@link #name} (as given, before normalizing) failed. */
    static final class PushFailed extends EngineException {
        private static final long serialVersionUID = 1L;

        /** The name as the output or tag gave it. */
        final String name;

        PushFailed(String name, String message, LayerException cause) {
            super(message, cause);
            this.name = name;
        }

        /**
         * BuildKit's reason when the registry could not be reached ({@code failed to do request: Head "..."}:
         * containerd's pusher HEADs a blob first), empty when the registry answered.
         */
        Optional<String> goReason() {
            return getCause() instanceof dev.wharf.layers.registry.RegistryException r && r.statusCode() < 0
                    ? r.goReason() : Optional.empty();
        }
    }

    /** What is pushed of the compressed image: its manifest, or a document over it (a platform index). */
    @FunctionalInterface
    interface Wrap {
        Descriptor apply(Descriptor compressedManifest) throws LayerException;
    }

    /**
     * As {@link #push(Descriptor, List, int, List, OutputCompression)}, pushing what {@code wrap} makes of the
     * compressed manifest (already in the store).
     */
    List<PushSummary> push(Descriptor target, List<String> names, int step, List<ImageReference> mountSources,
                           OutputCompression compression, Wrap wrap) throws EngineException {
        Descriptor pushed;
        TransferListener transfers;
        try {
            if (step > 0 && MediaTypes.isManifest(target.mediaType())) {
                // A build's push: its layers as buildx shows docker's push, each under the short form of its
                // diff ID.
                PushLayerEvents stored = PushLayerEvents.of(listener, step, store.reader(), target);
                LayerCompressor.Compressed compressed = compressor.image(target, compression, stored::compressing);
                PushLayerEvents layerEvents = stored.pushedAs(compressed.layers());
                layerEvents.preparing();
                transfers = layerEvents;
                pushed = wrap.apply(compressed.manifest());
            } else {
                // The id names the layer by the short form of its digest, as pulls name blobs.
                pushed = wrap.apply(compressor.image(target, compression, (layer, read, completed) -> listener.onEvent(
                        new BuildEvent.Transfer(step, "compressing " + layer.digest().toString().substring(0, 19),
                                read, layer.size(), completed))).manifest());
                transfers = new TransferEvents(listener, step, System::nanoTime);
            }
        } catch (LayerException e) {
            throw new EngineException("cannot push " + String.join(", ", names) + ": " + e.getMessage(), e);
        }
        List<PushSummary> out = new ArrayList<>();
        for (String name : names) {
            ImageReference reference;
            try {
                reference = ImageReference.parse(name).withDefaultTag();
            } catch (InvalidReferenceException e) {
                throw new EngineException("cannot push " + name + ": " + e.getMessage());
            }
            try {
                ImageReference destination = reference;
                Optional<ImageReference> mountFrom = mountSources.stream()
                        .filter(s -> s.sameRegistry(destination) && !s.path().equals(destination.path())).findFirst();
                ImagePusher.PushResult result = new ImagePusher(registries.client()).push(store, pushed, reference,
                        mountFrom, transfers);
                out.add(new PushSummary(reference.toString(), result.target().digest().toString(),
                        result.target().size(), result.blobsUploaded()));
            } catch (LayerException e) {
                throw new PushFailed(name, "failed to push " + reference + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
