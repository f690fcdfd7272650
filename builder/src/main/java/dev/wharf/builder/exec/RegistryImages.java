package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BaseImage;
import dev.wharf.builder.plan.ImageConfigResolver;
import dev.wharf.builder.plan.ImageResolutionException;
import dev.wharf.builder.plan.Platform;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.registry.ImagePuller;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import dev.wharf.layers.registry.PullResult;
import dev.wharf.layers.registry.RegistryException;
import dev.wharf.layers.registry.TransferListener;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A build's base images, from the local store or pulled from their registries, in BuildKit's two halves: while
 * planning, {@link #resolve} reads a stored tag with no network call (unless the build asked to pull), else it
 * fetches the manifest and config ({@code #N [internal] load metadata for docker.io/library/alpine:latest}); when
 * a step first needs the files, {@link #ensureLayers} downloads the layers (several at once, verified, streamed
 * into the store, each reported under that step) and then names the image in the store by its full reference
 * ({@code docker.io/library/alpine:latest}), as {@code docker pull} does. {@code COPY --from} and
 * {@code RUN --mount=from=} images go the same way.
 *
 * <p>One per build; thread-safe (stages run in parallel).
 */
final class RegistryImages implements ImageConfigResolver {
    /** An image whose metadata was pulled for the build but whose layers may not be stored yet. */
    private static final class Pending {
        final ImageReference reference;
        final PullResult metadata;
        boolean complete;
        /** The source vertex a later pull of the layers reports under, when one was shown before it ran. */
        int vertex;

        Pending(ImageReference reference, PullResult metadata) {
            this.reference = reference;
            this.metadata = metadata;
        }
    }

    private final LocalStore store;
    private final Registries registries;
    private final boolean pull;
    private final ProgressListener listener;
    private final AtomicInteger steps;
    private final Map<String, BaseImage> resolved = new HashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, String> resolvedDigests = new ConcurrentHashMap<>();
    private final java.util.Set<ImageReference> sources = new java.util.LinkedHashSet<>();
    /** The normalized names of base images found in the store, in order, for {@link #showLocalMetadata}. */
    private final java.util.Set<String> localMetadata = new java.util.LinkedHashSet<>();
    /**
     * The metadata vertices of {@code docker-image://} contexts found in the store, by normalized name: shown first,
     * and instead of a plain FROM's of the same image (BuildKit resolves the image once, under the context's name).
     */
    private final Map<String, String[]> contextMetadata = new java.util.LinkedHashMap<>();
    /** The normalized names whose metadata load from a registry was shown. */
    private final java.util.Set<String> shownRemote = new java.util.HashSet<>();
    private final Map<String, String> contextImages;

    /**
     * @param steps the build's step counter: each metadata load takes the next number, and the executor numbers
     *              its steps after them
     */
    RegistryImages(LocalStore store, Registries registries, boolean pull, ProgressListener listener,
                   AtomicInteger steps) {
        this(store, registries, pull, listener, steps, Map.of());
    }

    /**
     * @param contextImages the references of the build's {@code docker-image://} contexts as given, each with the
     *                      context's name: their metadata loads show as {@code [context NAME] load metadata for REF}
     */
    RegistryImages(LocalStore store, Registries registries, boolean pull, ProgressListener listener,
                   AtomicInteger steps, Map<String, String> contextImages) {
        this.contextImages = Map.copyOf(contextImages);
        this.store = store;
        this.registries = registries;
        this.pull = pull;
        this.listener = listener;
        this.steps = steps;
    }

    @Override
    public synchronized BaseImage resolve(String reference, Platform platform) throws ImageResolutionException {
        String key = reference + " " + platform.format();
        BaseImage known = resolved.get(key);
        if (known != null) {
            return known;
        }
        LocalImages local = new LocalImages(store);
        ImageReference parsed;
        try {
            parsed = ImageReference.parse(reference);
        } catch (InvalidReferenceException e) {
            // Not a registry reference (the planner checked the grammar already): only a local name can match.
            return local.resolve(reference, platform);
        }
        sources.add(parsed);
        // A digest names content that cannot change, so a stored one is used even with --pull.
        if (!pull || parsed.digest().isPresent()) {
            try {
                Optional<LocalImages.Resolved> found = local.find(reference, platform);
                if (found.isPresent() && complete(found.get())) {
                    String normalized = parsed.withDefaultTag().toString();
                    String context = contextImages.get(reference);
                    if (context != null) {
                        contextMetadata.putIfAbsent(normalized, metadataVertex(reference));
                    } else {
                        localMetadata.add(normalized);
                    }
                    BaseImage base = LocalImages.baseImage(reference, found.get(), platform);
                    resolved.put(key, base);
                    return base;
                }
            } catch (LayerException e) {
                throw new ImageResolutionException("cannot read image " + reference + " from the local store: "
                        + e.getMessage());
            }
        }
        BaseImage base = loadMetadata(reference, parsed, platform);
        resolved.put(key, base);
        return base;
    }

    private BaseImage loadMetadata(String reference, ImageReference parsed, Platform platform)
            throws ImageResolutionException {
        String shown = parsed.withDefaultTag().toString();
        String[] vertex = metadataVertex(reference);
        // One vertex per image, as BuildKit resolves it once: a docker-image:// context's and a FROM's of the same.
        boolean show = shownRemote.add(shown);
        int step = show ? steps.incrementAndGet() : 0;
        ProgressListener listener = show ? this.listener : ProgressListener.none();
        listener.onEvent(new BuildEvent.StepStarted(step, vertex[0], 0, 0, vertex[1]));
        long start = System.nanoTime();
        try {
            PullResult metadata = new ImagePuller(registries.client()).pullMetadata(parsed, layersPlatform(platform),
                    store);
            LocalImages.Resolved image = new LocalImages(store).manifest(metadata.manifest().digest(), platform);
            BaseImage base = LocalImages.baseImage(reference, image, platform);
            pending.put(base.reference(), new Pending(parsed, metadata));
            resolvedDigests.put(base.reference(), metadata.target().digest().toString());
            listener.onEvent(new BuildEvent.StepDone(step, since(start)));
            return base;
        } catch (LayerException e) {
            String cause = cause(shown, e);
            String message = "failed to resolve source metadata for " + shown + ": " + cause;
            // The vertex says what failed (the peer: "#2 ERROR: failed to do request: Head ..."); the frontend's
            // wrap is the build's error only.
            listener.onEvent(new BuildEvent.StepFailed(step, cause, since(start)));
            throw new ImageResolutionException(message, e);
        }
    }

    /**
     * Shows BuildKit's {@code #N [internal] load metadata for docker.io/library/busybox:latest} of each distinct
     * base image the plan found in the store, which BuildKit resolves too (from its image store: no network, so
     * {@code DONE 0.0s}). Told after the definition's step has ended, as BuildKit ends that vertex before
     * dockerfile2llb resolves images; images from a registry show theirs while they load.
     */
    synchronized void showLocalMetadata() {
        // buildx 0.13.1 on the peer: "#2 [context img] load metadata for inv15bb:two" before "#3 [internal] load
        // metadata for docker.io/library/inv15bb:latest", and only the context's when both name one image.
        for (String[] vertex : contextMetadata.values()) {
            show(vertex);
        }
        for (String shown : localMetadata) {
            if (!contextMetadata.containsKey(shown)) {
                show(new String[] {"internal", "load metadata for " + shown});
            }
        }
        localMetadata.clear();
        contextMetadata.clear();
    }

    private void show(String[] vertex) {
        int step = steps.incrementAndGet();
        long start = System.nanoTime();
        listener.onEvent(new BuildEvent.StepStarted(step, vertex[0], 0, 0, vertex[1]));
        listener.onEvent(new BuildEvent.StepDone(step, since(start)));
    }

    /**
     * The stage and name of the metadata vertex of {@code reference}: {@code [context NAME] load metadata for REF}
     * with the reference as given for a {@code docker-image://} context (namedcontext.go), else {@code [internal]
     * load metadata for} the normalized reference.
     */
    private String[] metadataVertex(String reference) {
        String context = contextImages.get(reference);
        if (context != null) {
            return new String[] {"context " + context, "load metadata for " + reference};
        }
        String shown;
        try {
            shown = ImageReference.parse(reference).withDefaultTag().toString();
        } catch (InvalidReferenceException e) {
            shown = reference;
        }
        return new String[] {"internal", "load metadata for " + shown};
    }

    /**
     * Why the metadata could not be had, in the words BuildKit's resolver ends its error with where wharf's registry
     * client can give them (a request that failed in transport; containerd's {@code REF: not found} for a 404), else
     * wharf's own message.
     */
    private static String cause(String shown, LayerException e) {
        if (e instanceof RegistryException failed) {
            if (failed.statusCode() == 404) {
                return shown + ": not found";
            }
            if (failed.goReason().isPresent()) {
                return failed.goReason().get();
            }
        }
        return e.getMessage();
    }

    /**
     * The digest a registry resolved a planned base image's reference to (an index's or a manifest's), as
     * BuildKit shows it in the FROM step ({@code FROM docker.io/library/alpine:3.20@sha256:...}); empty for an
     * image taken from the local store.
     */
    Optional<String> resolvedDigest(String plannedReference) {
        return Optional.ofNullable(resolvedDigests.get(plannedReference));
    }

    /**
     * The registry references of the images this build resolved (base images, {@code --from} images), in order:
     * where a push of the result may mount their blobs from instead of uploading them.
     */
    synchronized java.util.List<ImageReference> sources() {
        return java.util.List.copyOf(sources);
    }

    /**
     * Makes sure the layers of a planned base image ({@code name@<manifest digest>}, as {@link #resolve} returned
     * it) are in the store, downloading those that are not and reporting each under {@code step} (0: report
     * nothing); then names a pulled tag in the store. Does nothing for images that were already stored.
     *
     * @return whether this call pulled the image's layers (false: they were in the store already)
     * @throws LayerException if a layer cannot be pulled or stored
     */
    boolean ensureLayers(String plannedReference, int step) throws LayerException {
        Pending image = pending.get(plannedReference);
        if (image == null) {
            return false;
        }
        synchronized (image) {
            if (image.complete) {
                return false;
            }
            int shown = step > 0 ? step : image.vertex;
            new ImagePuller(registries.client()).pullLayers(image.reference, image.metadata, store,
                    shown > 0 ? new TransferEvents(listener, shown, System::nanoTime) : TransferListener.none());
            name(store, image.reference, image.metadata.target());
            image.complete = true;
            return true;
        }
    }

    /**
     * Whether the layers of a planned image are all in the store (it was stored, or its pull completed): a step that
     * reads it then pulls nothing.
     */
    boolean layersStored(String plannedReference) {
        Pending image = pending.get(plannedReference);
        if (image == null) {
            return true;
        }
        synchronized (image) {
            return image.complete;
        }
    }

    /**
     * Has a pull of the planned image's layers that a step starts later report its downloads under the source
     * vertex {@code step}, shown when the build started: as BuildKit's lazy image refs report the blobs they fetch
     * when a copy first mounts them under the image source's vertex.
     */
    void reportPullUnder(String plannedReference, int step) {
        Pending image = pending.get(plannedReference);
        if (image != null) {
            synchronized (image) {
                if (image.vertex == 0) {
                    image.vertex = step;
                }
            }
        }
    }

    /**
     * Names a pulled image in the store: a tag by its full reference ({@code docker.io/library/alpine:latest}), a
     * digest reference as {@code docker.io/library/alpine@sha256:...}, which docker keeps as a RepoDigest (listed
     * with tag {@code <none>}), so pruning keeps the image and {@code wharf images} lists it.
     */
    static void name(LocalStore store, ImageReference reference, Descriptor target) throws LayerException {
        if (reference.digest().isPresent()) {
            store.images().tagDigest(reference.name(), target);
        } else {
            ImageReference tagged = reference.withDefaultTag();
            store.images().tag(new ImageName(tagged.name(), tagged.tag().orElseThrow()), target);
        }
    }

    /** Whether every layer of a stored image is there (a pull stopped after its metadata leaves some out). */
    private boolean complete(LocalImages.Resolved image) throws LayerException {
        for (dev.wharf.layers.layer.LayerBlob layer : image.layers()) {
            if (!store.blobs().exists(layer.descriptor().digest())) {
                return false;
            }
        }
        return true;
    }

    static dev.wharf.layers.Platform layersPlatform(Platform platform) {
        dev.wharf.layers.Platform p = dev.wharf.layers.Platform.of(platform.os(), platform.architecture());
        return platform.variant() == null || platform.variant().isEmpty() ? p : p.withVariant(platform.variant());
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
