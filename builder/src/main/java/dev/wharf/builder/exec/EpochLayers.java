package dev.wharf.builder.exec;

import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.StepResult;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.store.EpochVariants;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The image of a build with {@code SOURCE_DATE_EPOCH} as it is exported: every layer the build wrote (after the base
 * image's, which are the base's own) with its times clamped to the epoch, as BuildKit's {@code rewrite-timestamp=true}
 * rewrites the layers an image does not share with its base ({@code exporter/containerimage/writer.go}). The steps
 * ran, and the build cache keeps their layers, without the epoch: a build with another epoch hits the same records
 * and gets the image a fresh build with that epoch makes, since a clamped layer depends only on the files and the
 * epoch. The store remembers each clamped layer ({@link EpochVariants}), so an equal build rewrites nothing.
 *
 * <p>The inline cache ({@code --cache-to type=inline}) lives in the image and can name only the image's layers: its
 * records get the clamped ones, as BuildKit's inline cache points at the rewritten layers through their place in
 * the manifest. A build importing it with the same epoch gets the same image; with another epoch, a hit's layer
 * keeps the times of the earlier epoch where they are older. Exported caches ({@code type=registry}, {@code local})
 * hold the records as the store does, unclamped, and give any epoch's image.
 *
 * <p>One instance per exported image, used by one thread.
 */
final class EpochLayers {
    private final EpochVariants variants;
    private final CanonicalJson json;
    private final long epoch;
    /** The clamped layers of this build by the diff ID of the layer the step wrote. */
    private final Map<Digest, LayerBlob> clamped = new HashMap<>();
    /** How many of the image's layers are its base image's, which keep their times (set by {@link #image}). */
    private int inherited;

    EpochLayers(EpochVariants variants, CanonicalJson json, long epoch) {
        this.variants = variants;
        this.json = json;
        this.epoch = epoch;
    }

    /**
     * The state to export: the layers after the base image's clamped (each one's blob in the store), the config's
     * rootfs naming them.
     *
     * @throws LayerException if a layer cannot be read or its clamped copy stored
     */
    BuildExecutor.State image(BuildExecutor.State state) throws LayerException {
        List<LayerBlob> built = state.layers().subList(state.inherited(), state.layers().size());
        List<LayerBlob> done = variants.clamp(built, epoch);
        inherited = state.inherited();
        for (int i = 0; i < built.size(); i++) {
            clamped.put(built.get(i).diffId(), done.get(i));
        }
        List<LayerBlob> layers = new ArrayList<>(state.layers().subList(0, state.inherited()));
        layers.addAll(done);
        ImageConfiguration image = state.image();
        ImageConfiguration out = image.withLayers(RootFs.layers(layers.stream().map(LayerBlob::diffId).toList()),
                image.history());
        return new BuildExecutor.State(layers, out, state.parent(), state.inherited());
    }

    /**
     * The records as the inline cache names them: each layer {@link #image} clamped as that clamped layer, and the
     * record's config naming it so and dated as {@code image} (the exported image's config) is. A record with other
     * layers is not of the image: the inline cache drops it.
     */
    List<CacheRecord> inline(List<CacheRecord> records, ImageConfiguration image) throws LayerException {
        List<CacheRecord> out = new ArrayList<>();
        for (CacheRecord record : records) {
            List<LayerBlob> layers = record.result().layers().stream()
                    .map(l -> clamped.getOrDefault(l.diffId(), l)).toList();
            // Also without a config: the record must name the clamped layers, or the inline cache drops it.
            String config = record.result().config().isEmpty() ? record.result().config()
                    : config(record.result().config(), image.history());
            out.add(new CacheRecord(record.key(), record.keyVersion(), record.inputs(), StepResult.of(layers, config),
                    record.created(), record.lastUsed()));
        }
        return out;
    }

    /**
     * A record's image config with its rootfs naming the clamped layers and its history dated as the image's: the
     * record may have been made by a build with another epoch, whose dates must not reach this image (an image built
     * from cache hits is the one a fresh build with this epoch gives). The record's state is a prefix of the image's,
     * so each of its entries takes the date of the image's entry at its place when that entry is the same step.
     */
    private String config(String text, List<HistoryEntry> imageHistory) throws LayerException {
        ImageConfiguration config = json.read(text.getBytes(StandardCharsets.UTF_8), ImageConfiguration.class,
                "cache record config");
        // By place, not only by value: a base layer equal to one a step wrote keeps its diff ID (and its times).
        List<Digest> diffIds = new ArrayList<>(config.rootfs().diffIds());
        for (int i = inherited; i < diffIds.size(); i++) {
            LayerBlob layer = clamped.get(diffIds.get(i));
            if (layer != null) {
                diffIds.set(i, layer.diffId());
            }
        }
        List<HistoryEntry> history = new ArrayList<>(config.history());
        for (int i = 0; i < history.size() && i < imageHistory.size(); i++) {
            HistoryEntry own = history.get(i);
            HistoryEntry dated = imageHistory.get(i);
            if (Objects.equals(own.createdBy(), dated.createdBy()) && Objects.equals(own.comment(), dated.comment())
                    && Objects.equals(own.author(), dated.author()) && own.emptyLayer() == dated.emptyLayer()) {
                history.set(i, dated);
            }
        }
        return new String(json.write(config.withLayers(RootFs.layers(diffIds), history)), StandardCharsets.UTF_8);
    }
}
