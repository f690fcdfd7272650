package dev.wharf.layers.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.TimestampClamp;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The store's index of layers clamped to a {@code SOURCE_DATE_EPOCH}: a layer as a build step wrote it (the build
 * cache keeps it so, whatever the epoch) and the layer {@link TimestampClamp} made of it for an image exported with
 * one epoch. The clamp is a one-time cost per layer and epoch: the next build with the same epoch finds the
 * clamped layer here instead of rewriting it (BuildKit's exporter converts such blobs once and keeps them in its
 * content store).
 *
 * <p>One small JSON file per layer and epoch under {@code clamped/} of the store root, named by the source layer's
 * diff ID and the epoch, each written atomically, so concurrent processes never lose one another's entries. The
 * clamped blob lives as long as an image references it, like any other layer: the index is no garbage-collection
 * root (keeping every epoch's copy while the cache keeps its source would grow the store with every commit a CI
 * builds), so an entry whose blob is gone is not found and the layer is clamped again; the collection deletes such
 * entries ({@link IndexRecords}).
 *
 * <p>Immutable and thread-safe.
 */
public final class EpochVariants {
    private final Path dir;
    private final LocalStore store;

    private EpochVariants(Path dir, LocalStore store) {
        this.dir = dir;
        this.store = store;
    }

    /** The index of {@code store} ({@code clamped/} under its root). */
    static EpochVariants of(LocalStore store) {
        return new EpochVariants(dirOf(store.root()), store);
    }

    /** The directory of the records of the store whose root is {@code root}. */
    static Path dirOf(Path root) {
        return root.resolve("clamped");
    }

    /**
     * Returns {@code source} (a layer of the store) with its times clamped to {@code epoch}: the remembered one when
     * its blob is still stored (claimed for the running build, as a cache hit's layers are, so that a concurrent
     * {@code prune} cannot take it before the image names it), else a new one, remembered.
     *
     * @throws LayerException if the source is missing or unreadable, or the clamped layer cannot be stored
     */
    public LayerBlob clamp(LayerBlob source, long epoch) throws LayerException {
        return clamp(List.of(source), epoch).get(0);
    }

    /**
     * Returns each of {@code sources} clamped to {@code epoch} as {@link #clamp(LayerBlob, long)} does, the
     * remembered ones claimed at once (one hold of the store lock for an image's layers).
     */
    public List<LayerBlob> clamp(List<LayerBlob> sources, long epoch) throws LayerException {
        List<Optional<LayerBlob>> known = new ArrayList<>();
        List<Digest> found = new ArrayList<>();
        for (LayerBlob source : sources) {
            Optional<LayerBlob> k = read(file(source, epoch));
            known.add(k);
            k.ifPresent(l -> found.add(l.descriptor().digest()));
        }
        // A false claim still claimed every blob that is there; those that are not are made again below.
        store.claim(found);
        List<LayerBlob> out = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Optional<LayerBlob> k = known.get(i);
            if (k.isPresent() && stored(k.get().descriptor())) {
                out.add(k.get());
            } else {
                out.add(make(sources.get(i), epoch));
            }
        }
        return out;
    }

    /**
     * Tells whether the blob a record names is stored with the size the record gives: a record missing a field reads
     * 0 there, and a descriptor with a wrong size makes a manifest every registry and runtime refuses.
     */
    private boolean stored(Descriptor d) throws LayerException {
        return d.size() > 0 && store.blobs().info(d.digest()).filter(info -> info.size() == d.size()).isPresent();
    }

    private LayerBlob make(LayerBlob source, long epoch) throws LayerException {
        LayerBlob clamped = TimestampClamp.clamp(store.blobs(), source, epoch);
        Descriptor d = clamped.descriptor();
        String text = "{\"source\":\"" + source.diffId() + "\",\"epoch\":" + epoch + ",\"mediaType\":\""
                + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + ",\"diffId\":\""
                + clamped.diffId() + "\",\"uncompressedSize\":" + clamped.uncompressedSize() + "}\n";
        try {
            Files.createDirectories(dir);
            AtomicFiles.replace(file(source, epoch), text.getBytes(StandardCharsets.UTF_8), dir);
        } catch (IOException e) {
            throw new LayerException("cannot record a clamped layer in " + dir + ": " + e.getMessage(), e);
        }
        return clamped;
    }

    private Path file(LayerBlob source, long epoch) {
        return dir.resolve(source.diffId().toString().replace(':', '.') + "-" + epoch + ".json");
    }

    private static Optional<LayerBlob> read(Path file) throws LayerException {
        Optional<JsonNode> record = IndexRecords.read(file, "clamped-layer");
        if (record.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node = record.get();
        try {
            if (node.path("uncompressedSize").asLong() <= 0) {
                // A missing field reads 0: no tar is empty (its end alone is 1024 bytes).
                return Optional.empty();
            }
            return Optional.of(new LayerBlob(Descriptor.of(node.path("mediaType").asText(),
                    Digest.parse(node.path("digest").asText()), node.path("size").asLong()),
                    Digest.parse(node.path("diffId").asText()), node.path("uncompressedSize").asLong()));
        } catch (IllegalArgumentException e) {
            // A damaged record only costs clamping again; the new record replaces it.
            return Optional.empty();
        }
    }
}
