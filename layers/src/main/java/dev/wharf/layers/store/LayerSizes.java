package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.layer.LayerContentSize;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The content sizes of a store's layers ({@link LayerContentSize}: what {@code docker history} and
 * {@code docker images} show), measured once per layer by reading it and then kept in {@code root/layer-sizes/
 * ALGORITHM/HEX} (a decimal number, written atomically), since a blob never changes. A layer the store lacks (not
 * fetched yet from an imported cache) or cannot read is given its blob's size.
 *
 * <p>Sizes read or measured are also kept in memory, one map per {@link LocalStore} instance (its
 * {@link LocalStore#layerSizes()}; {@code wharf images} asks for each image's layers, most of them shared with other
 * images), until the store's garbage collector deletes the layer.
 *
 * <p>Thread-safe: concurrent measurements of one layer write the same number.
 */
public final class LayerSizes {
    private final FileBlobStore blobs;
    private final Path root;
    /** Digest to content size, for layers present when measured; a digest's size never changes. */
    private final ConcurrentMap<Digest, Long> known;

    /** The sizes of the layers in {@code blobs}; the one instance of a {@link LocalStore}, which hands it out. */
    LayerSizes(FileBlobStore blobs) {
        this.blobs = blobs;
        this.root = blobs.layout().root();
        this.known = new ConcurrentHashMap<>();
    }

    /** Where the measured size of {@code layer} is kept in the store at {@code root}. */
    static Path recordFile(Path root, Digest layer) {
        return root.resolve("layer-sizes").resolve(layer.algorithm().ociName()).resolve(layer.hex());
    }

    /**
     * Drops the measured size of a layer whose blob was deleted (the garbage collector's call, under the store
     * lock), from memory and from the store. Best effort on disk: a record left behind is a few bytes, and right
     * again if the same layer comes back.
     */
    void forget(Digest layer) {
        known.remove(layer);
        try {
            Files.deleteIfExists(recordFile(root, layer));
        } catch (IOException e) {
            // Kept; see above.
        }
    }

    /** The content size of {@code layer}. */
    public long contentSize(Descriptor layer) {
        Long remembered = known.get(layer.digest());
        if (remembered != null) {
            return remembered;
        }
        Path file = recordFile(root, layer.digest());
        try {
            long size = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
            known.put(layer.digest(), size);
            return size;
        } catch (NoSuchFileException e) {
            // Not measured yet.
        } catch (IOException | NumberFormatException e) {
            // Unreadable or torn by a crash before the rename's fsync: measure again.
        }
        long size;
        try (InputStream in = blobs.open(layer.digest())) {
            size = LayerContentSize.of(in);
        } catch (IOException e) {
            return layer.size(); // not remembered: the layer may arrive later
        }
        known.put(layer.digest(), size);
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.replace(file, Long.toString(size).getBytes(StandardCharsets.US_ASCII), file.getParent());
        } catch (IOException e) {
            // A read-only store still gets the number; it is measured again next time.
        }
        return size;
    }
}
