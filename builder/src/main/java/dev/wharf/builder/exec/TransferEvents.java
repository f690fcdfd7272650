package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.registry.TransferListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The progress events of one step's registry transfers: a {@link BuildEvent.Transfer} as a blob's bytes arrive, at
 * most one per blob every {@link #INTERVAL_NANOS} (a progress bar needs no more, and a 300 MB layer reports every
 * 64 KiB), and a {@link BuildEvent.BlobTransferred} when it is done.
 *
 * <p>Thread-safe: blobs are transferred several at once.
 */
final class TransferEvents implements TransferListener {
    static final long INTERVAL_NANOS = 100_000_000L;

    private final ProgressListener listener;
    private final int step;
    private final LongSupplier nanoTime;
    private final Map<String, Long> lastReported = new ConcurrentHashMap<>();

    TransferEvents(ProgressListener listener, int step, LongSupplier nanoTime) {
        this.listener = listener;
        this.step = step;
        this.nanoTime = nanoTime;
    }

    @Override
    public void blobProgress(Descriptor blob, long transferred) {
        long now = nanoTime.getAsLong();
        String id = blob.digest().toString();
        Long last = lastReported.get(id);
        if (last != null && now - last < INTERVAL_NANOS) {
            return;
        }
        lastReported.put(id, now);
        listener.onEvent(new BuildEvent.Transfer(step, id, transferred, blob.size(), false));
    }

    @Override
    public void blobDone(Descriptor blob, boolean moved, Duration elapsed) {
        lastReported.remove(blob.digest().toString());
        listener.onEvent(new BuildEvent.BlobTransferred(step, blob.digest().toString(), blob.size(), moved, elapsed));
    }
}
