package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.registry.TransferListener;
import java.time.Duration;
import java.util.Map;
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
    private final Map<Digest, Layer> layers;
    private final Map<Digest, Long> lastReported = new ConcurrentHashMap<>();

    /** @param layers the pushed image's layer blobs by digest */
    PushLayerEvents(ProgressListener listener, int step, Map<Digest, Layer> layers) {
        this.listener = listener;
        this.step = step;
        this.layers = Map.copyOf(layers);
    }

    /** The status id of a layer whose diff ID is {@code diffId}: {@code pushing layer 2c295265be07}. */
    static String statusId(Digest diffId) {
        return "pushing layer " + diffId.hex().substring(0, 12);
    }

    /** Starts every layer's status (docker's {@code Preparing}), before any blob moves. */
    void preparing() {
        java.util.Set<String> started = new java.util.HashSet<>();
        for (Layer layer : layers.values()) {
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
