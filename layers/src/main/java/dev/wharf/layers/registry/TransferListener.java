package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import java.time.Duration;

/**
 * Hears about the blobs one pull or push moves, one call per blob when it is finished and others as its bytes
 * move, so a front end can show per-layer progress ({@code sha256:... 3.4MB / 3.4MB 0.2s done},
 * {@code Layer already exists}).
 *
 * <p>Implementations must be thread-safe: blobs are transferred several at once and reported from the transfer
 * threads.
 */
@FunctionalInterface
public interface TransferListener {
    /**
     * A blob is done.
     *
     * @param blob the blob
     * @param moved true if its bytes were transferred, false if the destination already had it (or it was mounted)
     * @param elapsed how long the blob took
     */
    void blobDone(Descriptor blob, boolean moved, Duration elapsed);

    /**
     * Some of a blob's bytes have moved: {@code transferred} of {@code blob.size()} so far (a retried upload starts
     * again from 0), reported after every buffer, so implementations that draw should throttle. Ignored by default.
     */
    default void blobProgress(Descriptor blob, long transferred) {
    }

    /** Returns a listener that ignores everything. */
    static TransferListener none() {
        return (blob, moved, elapsed) -> { };
    }
}
