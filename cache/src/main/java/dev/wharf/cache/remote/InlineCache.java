package dev.wharf.cache.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.cache.CacheArtifact;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.StepResult;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.layer.LayerBlob;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A build cache carried in the image it built ({@code --cache-to type=inline}, or the build arg
 * {@code BUILDKIT_INLINE_CACHE=1}), as BuildKit's inline cache keeps its records in the image config
 * ({@code cache/remotecache/inline}): a later build names the image with {@code --cache-from} and reuses its
 * layers, with no separate cache artifact to push.
 *
 * <p>The records sit in the top-level config field {@link #CONFIG_FIELD}, in the document {@link CacheArtifact}
 * writes. BuildKit's own field ({@code moby.buildkit.cache.v0}) holds LLB-keyed records wharf cannot match, so
 * wharf neither writes nor reads it. A record names its layers by diff ID: the image's layers are compressed when
 * pushed, so only the diff IDs stay the same, and they find the pushed layer through {@code rootfs.diff_ids}.
 * Records are dated when made (last use is not kept), or at {@code SOURCE_DATE_EPOCH}, and name each layer
 * uncompressed, so an image is the same whether its steps ran or were hits of this cache, and stays reproducible.
 * With {@code SOURCE_DATE_EPOCH} the builder hands in records naming the image's layers as clamped to the epoch
 * (the local cache keeps them unclamped), since those are the only layers the image carries.
 *
 * <p>Stateless and thread-safe.
 */
public final class InlineCache {
    /** The config field holding wharf's inline cache. */
    public static final String CONFIG_FIELD = "dev.wharf.cache.v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private InlineCache() {
    }

    /**
     * The config field's value for {@code records}: those whose layers are all layers of the image (a step of an
     * intermediate stage is not in it), dated when they were made (a hit dates its history entry so) or, with
     * {@code SOURCE_DATE_EPOCH}, at {@code clamp}; empty when none is.
     */
    public static Optional<JsonNode> embed(Collection<CacheRecord> records, List<Digest> imageDiffIds,
                                           Optional<Instant> clamp) {
        List<CacheRecord> kept = new ArrayList<>();
        for (CacheRecord record : records) {
            if (record.result().layers().stream().allMatch(l -> imageDiffIds.contains(l.diffId()))) {
                // Each layer as its uncompressed self: the same record whether this store holds the layer as
                // built or as pulled, compressed, from an imported cache.
                List<LayerBlob> layers = record.result().layers().stream()
                        .map(l -> new LayerBlob(Descriptor.of(MediaTypes.OCI_LAYER_TAR, l.diffId(),
                                l.uncompressedSize()), l.diffId(), l.uncompressedSize()))
                        .toList();
                Instant created = clamp.orElse(record.created());
                kept.add(new CacheRecord(record.key(), record.keyVersion(), record.inputs(),
                        StepResult.of(layers, record.result().config()), created, created));
            }
        }
        if (kept.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(CacheArtifact.writeConfig(kept)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot re-read the cache config wharf just wrote", e);
        }
    }

    /**
     * The records an image carries, their layers those of {@code manifest} with the same diff IDs.
     *
     * @throws CacheException if the image has no inline cache, or a malformed one
     */
    public static List<CacheRecord> extract(ImageConfiguration config, ImageManifest manifest, String source)
            throws CacheException {
        JsonNode node = config.unknownFields().get(CONFIG_FIELD);
        if (node == null) {
            throw new CacheException(source + " is an image without a wharf inline cache; build it with "
                    + "--cache-to type=inline (or --build-arg BUILDKIT_INLINE_CACHE=1), or export a cache with "
                    + "--cache-to type=registry,ref=...");
        }
        List<CacheRecord> records;
        try {
            records = CacheArtifact.readConfig(JSON.writeValueAsBytes(node), source);
        } catch (IOException e) {
            throw new CacheException(source + " has an unreadable inline cache: " + e.getMessage(), e);
        }
        List<Digest> diffIds = config.rootfs().diffIds();
        Map<Digest, Descriptor> layerOf = new HashMap<>();
        for (int i = 0; i < diffIds.size() && i < manifest.layers().size(); i++) {
            layerOf.putIfAbsent(diffIds.get(i), manifest.layers().get(i));
        }
        List<CacheRecord> out = new ArrayList<>();
        for (CacheRecord record : records) {
            List<LayerBlob> layers = new ArrayList<>();
            for (LayerBlob layer : record.result().layers()) {
                Descriptor pushed = layerOf.get(layer.diffId());
                if (pushed == null) {
                    layers = null;
                    break;
                }
                layers.add(new LayerBlob(pushed, layer.diffId(), layer.uncompressedSize()));
            }
            if (layers != null) {
                out.add(new CacheRecord(record.key(), record.keyVersion(), record.inputs(),
                        StepResult.of(layers, record.result().config()), record.created(), record.lastUsed()));
            }
        }
        return List.copyOf(out);
    }
}
