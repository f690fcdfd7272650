package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.layers.layer.FileKind;
import dev.wharf.layers.layer.LayerChange;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Reports the writing of one step's layer as {@link BuildEvent.Transfer} events ({@code exporting layer}): a first
 * event with the estimated size of the uncompressed tar, then the bytes written at most every
 * {@link #INTERVAL_NANOS}, then a last one with the final count, marked completed. BuildKit shows the same work as
 * the {@code exporting layers} status of its exporter.
 *
 * <p>One per layer; used on the thread that writes it.
 */
final class LayerProgress implements LongConsumer {
    static final String ID = "exporting layer";
    static final long INTERVAL_NANOS = 100_000_000L;

    private final ProgressListener listener;
    private final int step;
    private final long total;
    private final LongSupplier nanoTime;
    private long lastReport;
    private long written;

    LayerProgress(ProgressListener listener, int step, List<LayerChange> changes, LongSupplier nanoTime) {
        this.listener = listener;
        this.step = step;
        this.total = estimate(changes);
        this.nanoTime = nanoTime;
        this.lastReport = nanoTime.getAsLong();
        listener.onEvent(new BuildEvent.Transfer(step, ID, 0, total, false));
    }

    /**
     * The tar's size if no entry needs PAX records: a 512-byte header per entry, contents padded to 512 bytes, and
     * the 1024-byte end marker. Only a progress estimate: the final event carries the true count.
     */
    static long estimate(List<LayerChange> changes) {
        long size = 1024;
        for (LayerChange change : changes) {
            size += 512;
            if (change instanceof LayerChange.Added added && added.metadata().kind() == FileKind.REGULAR) {
                size += (added.metadata().size() + 511) / 512 * 512;
            }
        }
        return size;
    }

    @Override
    public void accept(long bytes) {
        written = bytes;
        long now = nanoTime.getAsLong();
        if (now - lastReport >= INTERVAL_NANOS) {
            lastReport = now;
            listener.onEvent(new BuildEvent.Transfer(step, ID, bytes, Math.max(total, bytes), false));
        }
    }

    /** The last event: everything written. */
    void done() {
        listener.onEvent(new BuildEvent.Transfer(step, ID, written, written, true));
    }
}
