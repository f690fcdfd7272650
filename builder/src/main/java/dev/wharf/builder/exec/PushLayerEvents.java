package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.registry.TransferListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The progress of a build's push of one name, as buildx shows docker's push of it (build/build.go pushWithMoby):
 * one status per layer, {@code pushing layer ID} with the short diff ID docker names the layer by, its bytes while
 * they move (the uncompressed size as the total, as docker's push message counts it), and done with no bytes once
 * uploaded or found in the registry: every layer starts with docker's {@code Preparing} message, whose empty progress
 * starts the status, and a status not ended by {@code Pushed} is ended when the push ends. The config and manifests
 * show nothing. At most one byte report per layer every {@link TransferEvents#INTERVAL_NANOS}.
 *
 * <p>Thread-safe: blobs are pushed several at once.
 */
final class PushLayerEvents implements TransferListener {
    /** A layer as the push shows it: the status id and the uncompressed size. */
    record Layer(String id, long size) {
    }

    private final ProgressListener listener;
    private final int step;
    /** The layers as the manifest lists them, bottom first. */
    private final List<Layer> ordered;
    private final Map<Digest, Layer> layers;
    private final Map<Digest, Long> lastReported = new ConcurrentHashMap<>();

    /** @param blobs the layer blobs, in the order of {@code ordered} */
    private PushLayerEvents(ProgressListener listener, int step, List<Layer> ordered,
                            List<Digest> blobs) {
        this.listener = listener;
        this.step = step;
        this.ordered = List.copyOf(ordered);
        Map<Digest, Layer> byDigest = new HashMap<>();
        for (int i = 0; i < ordered.size() && i < blobs.size(); i++) {
            byDigest.putIfAbsent(blobs.get(i), ordered.get(i));
        }
        this.layers = Map.copyOf(byDigest);
    }

    /**
     * The events of the stored image {@code manifest} (its layers named by the diff IDs of its config, sized as
     * stored), keyed by its stored layer blobs: what {@link #compressing} reports on.
     */
    static PushLayerEvents of(ProgressListener listener, int step, ImageReader reader,
                              Descriptor manifest) throws LayerException {
        ImageManifest source = reader.readManifest(manifest);
        List<Digest> diffIds = reader.readConfig(source.config()).rootfs().diffIds();
        List<Layer> ordered = new ArrayList<>();
        for (int i = 0; i < source.layers().size() && i < diffIds.size(); i++) {
            ordered.add(new Layer(statusId(diffIds.get(i)), source.layers().get(i).size()));
        }
        return new PushLayerEvents(listener, step, ordered, source.layers().stream().map(Descriptor::digest).toList());
    }

    /** The same layers keyed by the blobs the push uploads ({@code pushed}, in the manifest's order). */
    PushLayerEvents pushedAs(List<Descriptor> pushed) {
        return new PushLayerEvents(listener, step, ordered, pushed.stream().map(Descriptor::digest).toList());
    }

    /**
     * A layer's compression as its bytes: docker compresses while it uploads, so the two are one status. Never its
     * end, which is the upload's (or the push's).
     */
    void compressing(Descriptor stored, long read, boolean completed) {
        Layer layer = layers.get(stored.digest());
        if (layer != null) {
            listener.onEvent(new BuildEvent.Transfer(step, layer.id(), read, layer.size(), false));
        }
    }

    /** The status id of a layer whose diff ID is {@code diffId}: {@code pushing layer 2c295265be07}. */
    static String statusId(Digest diffId) {
        return "pushing layer " + diffId.hex().substring(0, 12);
    }

    /** Starts every layer's status (docker's {@code Preparing}), before any blob moves. */
    void preparing() {
        Set<String> started = new HashSet<>();
        for (Layer layer : ordered) {
            if (started.add(layer.id())) {
                listener.onEvent(new BuildEvent.Transfer(step, layer.id(), 0, 0, false));
            }
        }
    }

    @Override
    public void blobProgress(Descriptor blob, long transferred) {
        Layer layer = layers.get(blob.digest());
        if (layer == null) {
            return;
        }
        long now = System.nanoTime();
        Long last = lastReported.get(blob.digest());
        if (last != null && now - last < TransferEvents.INTERVAL_NANOS) {
            return;
        }
        lastReported.put(blob.digest(), now);
        listener.onEvent(new BuildEvent.Transfer(step, layer.id(), transferred, layer.size(), false));
    }

    @Override
    public void blobDone(Descriptor blob, boolean moved, Duration elapsed) {
        Layer layer = layers.get(blob.digest());
        lastReported.remove(blob.digest());
        if (layer != null) {
            listener.onEvent(new BuildEvent.Transfer(step, layer.id(), 0, 0, true));
        }
    }
}
