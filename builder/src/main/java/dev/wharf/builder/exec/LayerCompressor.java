package dev.wharf.builder.exec;

import dev.wharf.builder.api.OutputCompression;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.MediaTypes.Compression;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.blob.BlobWriter;
import dev.wharf.layers.compress.Compressors;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.compress.KeepOpenOutputStream;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.store.CompressedVariants;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Compresses the layers of a stored image for an output (a push, an OCI or docker export, a remote cache), the
 * lazy compression of BuildKit's exporters: a build keeps its layers uncompressed in the store, and they are
 * compressed here, once per algorithm and level, when they leave it. The compressed blobs go into the store and
 * {@link CompressedVariants} remembers them, so a second push of the same image compresses nothing and gives the same
 * manifest digest.
 *
 * <p>Which layers change (BuildKit's {@code cache/remote.go}, {@code getRemote}): uncompressed layers are compressed
 * as the output says; layers already compressed (a base image's, or hits of an imported cache), and a base image's
 * layers distributed uncompressed ({@link CompressedVariants#rememberDistributed}), are kept as they came, unless
 * {@code force-compression} is set and they are compressed with another algorithm. A different level alone
 * never recompresses. Foreign (non-distributable) layers are never touched.
 *
 * <p>Immutable; thread-safe (concurrent calls for the same layer both compress, and the store keeps one blob).
 */
final class LayerCompressor {
    private final LocalStore store;
    private final Executor executor;
    private final int threads;

    /**
     * @param executor runs parallel gzip blocks; {@code threads} of them at most (the workspace's compressor pool)
     */
    LayerCompressor(LocalStore store, Executor executor, int threads) {
        this.store = store;
        this.executor = executor;
        this.threads = threads;
    }

    /** How far the compression of a layer is, reported every few MiB and once at its end. */
    @FunctionalInterface
    interface Progress {
        /** Nothing is reported. */
        Progress NONE = (layer, read, completed) -> { };

        /**
         * @param layer the stored layer being compressed
         * @param read  its bytes read so far
         */
        void compressing(Descriptor layer, long read, boolean completed);
    }

    /** Bytes between two progress reports. */
    private static final long REPORT_EVERY = 8L << 20;

    /** An image as it leaves the store: its manifest descriptor and layers (the stored ones when nothing changed). */
    record Compressed(Descriptor manifest, List<Descriptor> layers) {
        Compressed {
            layers = List.copyOf(layers);
        }
    }

    /**
     * Returns the image of {@code manifestDescriptor} with its layers compressed as {@code compression} says; a new
     * manifest is written into the store when a layer changed. Indexes are returned unchanged: their images come
     * from registries, compressed already.
     *
     * @throws LayerException if a layer blob is missing, corrupt or cannot be compressed
     */
    Compressed image(Descriptor manifestDescriptor, OutputCompression compression) throws LayerException {
        return image(manifestDescriptor, compression, Progress.NONE);
    }

    /** As {@link #image(Descriptor, OutputCompression)}, telling {@code progress} about each layer compressed. */
    Compressed image(Descriptor manifestDescriptor, OutputCompression compression, Progress progress)
            throws LayerException {
        if (!MediaTypes.isManifest(manifestDescriptor.mediaType())) {
            return new Compressed(manifestDescriptor, List.of());
        }
        ImageManifest manifest = store.reader().readManifest(manifestDescriptor);
        List<Descriptor> layers = new ArrayList<>();
        boolean changed = false;
        for (Descriptor layer : manifest.layers()) {
            Descriptor out = layer(layer, manifest.isDocker(), compression, store.blobs(), progress);
            changed |= !out.equals(layer);
            layers.add(out);
        }
        if (!changed) {
            return new Compressed(manifestDescriptor, manifest.layers());
        }
        ImageManifest compressed = new ImageManifest(manifest.schemaVersion(), manifest.mediaType(),
                manifest.artifactType(), manifest.config(), layers, manifest.subject(), manifest.annotations(),
                manifest.unknownFields());
        Descriptor written = store.writer().writeManifest(compressed);
        return new Compressed(written.withAnnotations(manifestDescriptor.annotations()), layers);
    }

    /** A step-cache layer as a remote cache exports it: compressed like an image's layer (see the class comment). */
    LayerBlob cacheLayer(LayerBlob layer, OutputCompression compression, BlobProvider source) throws LayerException {
        Descriptor out = layer(layer.descriptor(), false, compression, source, Progress.NONE);
        return out.equals(layer.descriptor()) ? layer : new LayerBlob(out, layer.diffId(), layer.uncompressedSize());
    }

    /**
     * Returns {@code layer} compressed as {@code compression} says, from the variant index or compressed now from
     * {@code source} into the store; {@code layer} itself when it stays as it is.
     *
     * @param docker the manifest uses Docker's media types, so the new layer type is Docker's too
     */
    Descriptor layer(Descriptor layer, boolean docker, OutputCompression compression, BlobProvider source,
                     Progress progress) throws LayerException {
        Optional<Compression> current = MediaTypes.layerCompression(layer.mediaType());
        if (current.isEmpty() || MediaTypes.isForeignLayer(layer.mediaType())) {
            return layer;
        }
        Compression wanted = switch (compression.type()) {
            case GZIP -> Compression.GZIP;
            case ZSTD -> Compression.ZSTD;
            case UNCOMPRESSED -> Compression.NONE;
        };
        if (current.get() == wanted || (current.get() != Compression.NONE && !compression.force())) {
            return layer;
        }
        if (current.get() == Compression.NONE && !compression.force()
                && (MediaTypes.DOCKER_LAYER_TAR.equals(layer.mediaType())
                        || store.variants().distributed(layer.digest()))) {
            // A base image's plain-tar layer (pulled, loaded or read from a layout): BuildKit pushes and exports
            // the blob it has, uncompressed; only the layers a build wrote are compressed here. Docker's plain-tar
            // type says so by itself (wharf stores its own layers with OCI's): a stored schema 2 image pushed as it
            // is, pulled before pulls marked its layers.
            return layer;
        }
        int level = compression.effectiveLevel();
        Optional<Descriptor> known = store.variants().find(layer.digest(), wanted, level);
        if (known.isPresent()) {
            return withType(known.get(), docker);
        }
        LayerCompression how = switch (wanted) {
            case GZIP -> LayerCompression.gzip(level, threads);
            case ZSTD -> LayerCompression.zstd(level, threads);
            case NONE -> LayerCompression.none();
        };
        Descriptor made;
        // Not a LayerBlobSink: the source stream verifies the source digest as it is read (for a tar, the diff ID),
        // so hashing the tar once more for a diff ID would only cost another pass over the layer.
        try (BlobWriter writer = store.blobs().writer()) {
            try (InputStream in = open(source, layer, current.get());
                 OutputStream out = Compressors.open(new KeepOpenOutputStream(writer), how, executor)) {
                byte[] buffer = new byte[256 * 1024];
                long read = 0;
                long reported = 0;
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    read += n;
                    if (read - reported >= REPORT_EVERY) {
                        reported = read;
                        progress.compressing(layer, read, false);
                    }
                }
                progress.compressing(layer, read, true);
            }
            BlobInfo info = writer.commit();
            made = Descriptor.of(how.mediaType(), info.digest(), info.size());
        } catch (IOException e) {
            throw new LayerException("cannot compress layer " + layer.digest() + " with " + how.type()
                    + ": " + e.getMessage(), e);
        }
        store.variants().remember(layer.digest(), wanted, level, made);
        return withType(made, docker);
    }

    private static InputStream open(BlobProvider source, Descriptor layer, Compression current)
            throws LayerException, IOException {
        InputStream raw = source.open(layer.digest());
        return current == Compression.NONE ? raw : Decompressors.open(raw);
    }

    private static Descriptor withType(Descriptor variant, boolean docker) {
        return docker ? variant.withMediaType(MediaTypes.toDocker(variant.mediaType()).orElse(variant.mediaType()))
                : variant;
    }
}
