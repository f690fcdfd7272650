package dev.wharf.builder.exec;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import dev.wharf.builder.api.OutputCompression;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.api.PushSummary;
import dev.wharf.builder.plan.Platform;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.registry.ImagePuller;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import dev.wharf.layers.registry.ManifestResponse;
import dev.wharf.layers.registry.PullResult;
import dev.wharf.layers.store.LocalStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code wharf pull} and {@code wharf push}: whole images between the local store and registries, outside a
 * build. A push compresses the uncompressed layers as asked (gzip at level 6 by default, as {@code docker push}).
 *
 * <p>Immutable; thread-safe.
 */
final class ImageTransfers {
    private final LocalStore store;
    private final LayerCompressor compressor;
    private final Registries registries;

    ImageTransfers(LocalStore store, LayerCompressor compressor, Registries registries) {
        this.store = store;
        this.compressor = compressor;
        this.registries = registries;
    }

    /**
     * The start of a pull that needs no store yet: the reference parsed and the manifest or index it names requested
     * on {@code executor}, so that the registry's round trip and the HTTP client's start (class loading, in a fresh
     * CLI process) overlap the opening of the store; {@link #pull} waits for it.
     *
     * @throws EngineException if the reference is invalid
     */
    static Prefetch prefetch(Registries registries, String reference, Executor executor) throws EngineException {
        ImageReference parsed = parse(reference);
        CompletableFuture<ManifestResponse> top = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                top.complete(registries.client().pullManifest(parsed));
            } catch (Throwable e) {
                top.completeExceptionally(e);
            }
        });
        return new Prefetch(parsed, top, executor);
    }

    /**
     * A pull's reference, its pending top-level manifest or index ({@link #prefetch}), and the executor for the
     * pull's side work.
     */
    record Prefetch(ImageReference reference, CompletableFuture<ManifestResponse> top, Executor executor) {
        ManifestResponse await() throws LayerException, EngineException {
            try {
                return top.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException("interrupted while pulling " + reference.withDefaultTag());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof LayerException layer) {
                    throw layer;
                }
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new LayerException("cannot fetch the manifest: " + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * Pulls the image {@code pending} names: its documents, then the config and the layers several at once (the
     * config joins the layers' transfers instead of costing a round trip of its own), then the name.
     */
    ImageSummary pull(Prefetch pending, Optional<String> platform, ProgressListener listener)
            throws EngineException {
        ImageReference parsed = pending.reference();
        Platform host = Platform.of("linux", System.getProperty("os.arch"), "");
        Platform wanted = host;
        if (platform.isPresent()) {
            try {
                wanted = Platform.parse(platform.get(), host);
            } catch (DockerfileException e) {
                throw new EngineException("--platform " + platform.get() + ": " + e.reason());
            }
        }
        try {
            ImagePuller puller = new ImagePuller(registries.client());
            PullResult metadata = puller.pullManifests(parsed, RegistryImages.layersPlatform(wanted), store,
                    pending.await());
            String name = parsed.withDefaultTag().toString();
            prepareIndexCodec(pending.executor(), metadata.target(), name);
            puller.pullLayers(parsed, metadata, store, new TransferEvents(listener, 0, System::nanoTime));
            RegistryImages.name(store, parsed, metadata.target());
            long size = store.reader().readManifest(metadata.manifest()).layers().stream()
                    .mapToLong(Descriptor::size).sum();
            return new ImageSummary(name, metadata.target().digest().toString(),
                    metadata.config().digest().toString(), size);
        } catch (LayerException e) {
            throw new EngineException("failed to pull " + parsed.withDefaultTag() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds the store's JSON (de)serializers of the index on {@code executor} while the layers download, with the
     * entry the naming will add: in a fresh CLI process that is tens of milliseconds that the naming after the last
     * layer would otherwise spend (the codec keeps what it built; a failure here only means the naming builds it).
     */
    private void prepareIndexCodec(Executor executor, Descriptor target, String name) {
        ImageIndex sample = ImageIndex.oci(List.of(target.withAnnotation(Descriptor.REF_NAME_ANNOTATION, name)));
        try {
            executor.execute(() -> {
                try {
                    store.json().prepare(sample);
                } catch (RuntimeException e) {
                    // The naming builds the codec itself, and reports what is wrong with the index there.
                }
            });
        } catch (RejectedExecutionException e) {
            // The engine is closing: the naming builds the codec itself.
        }
    }

    PushSummary push(String reference, OutputCompression compression, ProgressListener listener)
            throws EngineException {
        ImageReference parsed = parse(reference);
        if (parsed.digest().isPresent()) {
            throw new EngineException("cannot push " + reference + ": push a name with a tag, not a digest");
        }
        Descriptor target;
        try {
            target = new LocalImages(store).named(reference).orElseThrow(() -> new EngineException(
                    "An image does not exist locally with the tag: " + reference))
                    .withAnnotations(Map.of());
        } catch (LayerException e) {
            throw new EngineException("cannot read image " + reference + " from the local store: "
                    + e.getMessage(), e);
        }
        // As docker push (and the manifest a build's push writes, BuildKit's image exporter without oci-mediatypes):
        // Docker's media types, so pushing a built image again gives the digest its build pushed; zstd layers have
        // OCI types, as BuildKit forces them for zstd.
        boolean oci = compression.type() == OutputCompression.Type.ZSTD;
        return new ImagePushes(store, compressor, registries, listener).push(target, List.of(reference), 0, List.of(),
                compression, compressed -> oci ? compressed
                        : DockerTypes.of(store, new LayerCompressor.Compressed(compressed, List.of())).manifest())
                .get(0);
    }

    private static ImageReference parse(String reference) throws EngineException {
        try {
            return ImageReference.parse(reference);
        } catch (InvalidReferenceException e) {
            throw new EngineException("invalid reference " + reference + ": " + e.getMessage());
        }
    }
}
