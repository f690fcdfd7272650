package dev.wharf.layers.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.MediaTypes.Compression;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.json.JsonTrees;
import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The store's index of compressed variants of layer blobs: a layer kept uncompressed (or compressed otherwise) in
 * the store, and the blob that holds it compressed with one algorithm and level for a push or an export. A build
 * writes its layers uncompressed, as BuildKit's docker image store does, and compresses them only when they leave
 * the store; this index makes that a one-time cost: pushing the same image again finds the compressed blobs here
 * instead of compressing again (BuildKit keeps the same mapping in its content store's blob labels, see
 * {@code cache/blobs.go}).
 *
 * <p>One small JSON file per variant under {@code variants/} of the store root, named by the source digest, the
 * algorithm and the level, each written atomically (temp+fsync+rename), so concurrent processes never lose one
 * another's entries. The garbage collector keeps a variant's blob while its source blob is kept
 * ({@link #kept(Set)}); an entry whose blob is gone is not found, and the caller makes the blob again; the collection
 * deletes such entries ({@link IndexRecords}).
 *
 * <p>Immutable and thread-safe.
 */
public final class CompressedVariants {
    private final Path dir;
    private final BlobStore blobs;

    /** An index under {@code dir} for blobs of {@code blobs}; the directory is made on the first write. */
    CompressedVariants(Path dir, BlobStore blobs) {
        this.dir = dir;
        this.blobs = blobs;
    }

    /** The index of the store whose root is {@code root} and blobs {@code blobs} ({@code variants/}). */
    static CompressedVariants at(Path root, BlobStore blobs) {
        return new CompressedVariants(root.resolve("variants"), blobs);
    }

    /** The directory of the records. */
    Path dir() {
        return dir;
    }

    /**
     * Returns the remembered variant of {@code source} with {@code compression} at {@code level}, if its blob is
     * still in the store.
     */
    public Optional<Descriptor> find(Digest source, Compression compression, int level) throws LayerException {
        Optional<JsonNode> record = IndexRecords.read(dir.resolve(name(source, compression, level)),
                "compressed-variant");
        if (record.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node = record.get();
        try {
            Descriptor found = Descriptor.of(node.path("mediaType").asText(),
                    Digest.parse(node.path("digest").asText()), node.path("size").asLong());
            return blobs.exists(found.digest()) ? Optional.of(found) : Optional.empty();
        } catch (IllegalArgumentException e) {
            // A damaged record only costs compressing again; the next remember() replaces it.
            return Optional.empty();
        }
    }

    /** Remembers that {@code variant} holds the content of {@code source} compressed so. */
    public void remember(Digest source, Compression compression, int level, Descriptor variant)
            throws LayerException {
        String text = "{\"source\":\"" + source + "\",\"compression\":\"" + compression.name().toLowerCase(Locale.ROOT)
                + "\",\"level\":" + level + ",\"mediaType\":\"" + variant.mediaType() + "\",\"digest\":\""
                + variant.digest() + "\",\"size\":" + variant.size() + "}\n";
        try {
            Files.createDirectories(dir);
            AtomicFiles.replace(dir.resolve(name(source, compression, level)), text.getBytes(StandardCharsets.UTF_8),
                    dir);
        } catch (IOException e) {
            throw new LayerException("cannot record a compressed variant in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Remembers that the plain-tar layer {@code layer} came into the store as a registry, OCI layout or archive
     * distributes it, not from a build: outputs then keep it uncompressed, as BuildKit keeps a base layer's blob
     * (and so its compression) unless {@code force-compression} is set ({@code cache/remote.go}), whereas a layer a
     * build wrote is compressed when it leaves the store. Recorded as the layer's own uncompressed variant; a
     * compressed layer (the media type says so) needs no record and gets none.
     */
    public void rememberDistributed(Descriptor layer) throws LayerException {
        if (MediaTypes.layerCompression(layer.mediaType()).orElse(null) == Compression.NONE
                && find(layer.digest(), Compression.NONE, 0).isEmpty()) {
            remember(layer.digest(), Compression.NONE, 0, Descriptor.of(layer.mediaType(), layer.digest(),
                    layer.size()));
        }
    }

    /** Tells whether {@link #rememberDistributed} recorded {@code layer} (and its blob is in the store). */
    public boolean distributed(Digest layer) throws LayerException {
        return find(layer, Compression.NONE, 0).filter(d -> d.digest().equals(layer)).isPresent();
    }

    /**
     * Returns the digests of the variants whose source is among {@code kept}: the garbage collector keeps them, as
     * long as the image layer they compress exists. Unreadable records are skipped.
     */
    public Set<Digest> kept(Set<Digest> kept) throws LayerException {
        Set<Digest> out = new HashSet<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                int dash = fileName.indexOf('-');
                if (dash <= 0 || !kept.contains(sourceOf(fileName.substring(0, dash)))) {
                    continue;
                }
                try {
                    JsonNode node = JsonTrees.parse(Files.readAllBytes(entry));
                    out.add(Digest.parse(node.path("digest").asText()));
                } catch (IOException | IllegalArgumentException e) {
                    // Skipped: the variant is made again when needed.
                }
            }
        } catch (IOException e) {
            throw new LayerException("cannot list the compressed variants in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static Digest sourceOf(String prefix) {
        try {
            return Digest.parse(prefix.replaceFirst("\\.", ":"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String name(Digest source, Compression compression, int level) {
        return source.toString().replace(':', '.') + "-" + compression.name().toLowerCase(Locale.ROOT) + "-" + level
                + ".json";
    }
}
