package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.api.PushSummary;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.registry.ImagePusher;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pushes an image of the local store to registries under one or more names ({@code wharf push},
 * {@code --push}, {@code -o type=image,push=true}): blobs the registry has are not uploaded again, each blob is
 * reported under {@code step} as {@link BuildEvent.Transfer}s while its bytes move and a
 * {@link BuildEvent.BlobTransferred} when done.
 *
 * <p>Immutable; thread-safe.
 */
final class ImagePushes {
    private final dev.wharf.layers.store.LocalStore store;
    private final Registries registries;
    private final ProgressListener listener;

    ImagePushes(dev.wharf.layers.store.LocalStore store, Registries registries, ProgressListener listener) {
        this.store = store;
        this.registries = registries;
        this.listener = listener;
    }

    /**
     * Pushes {@code target} to every name, in order, reporting under {@code step} (0 outside a build).
     *
     * @throws EngineException naming the reference, if a name is no valid reference or the registry refuses
     */
    List<PushSummary> push(Descriptor target, List<String> names, int step) throws EngineException {
        return push(target, names, step, List.of());
    }

    /**
     * Pushes like {@link #push(Descriptor, List, int)}; blobs the registry lacks are first mounted from the first of
     * {@code mountSources} (e.g. the build's base images) that lives on the same registry in another repository,
     * so a base image's layers are not uploaded again (docker push does the same).
     */
    List<PushSummary> push(Descriptor target, List<String> names, int step, List<ImageReference> mountSources)
            throws EngineException {
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
                ImagePusher.PushResult result = new ImagePusher(registries.client()).push(store, target, reference,
                        mountFrom, new TransferEvents(listener, step, System::nanoTime));
                out.add(new PushSummary(reference.toString(), result.target().digest().toString(),
                        result.target().size(), result.blobsUploaded()));
            } catch (LayerException e) {
                throw new EngineException("failed to push " + reference + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
