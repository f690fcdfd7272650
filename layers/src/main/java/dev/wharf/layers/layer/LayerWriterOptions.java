package dev.wharf.layers.layer;

import dev.wharf.layers.compress.LayerCompression;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How {@link LayerWriter} encodes a layer: the compression of the blob and an optional upper bound for timestamps.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param compression the blob's compression
 * @param sourceDateEpoch when present, modification times later than this (seconds since the epoch) are clamped to
 *     it, as BuildKit does with {@code SOURCE_DATE_EPOCH} (containerd's {@code WithModTimeUpperBound})
 */
public record LayerWriterOptions(LayerCompression compression, OptionalLong sourceDateEpoch) {
    /** Validates. */
    public LayerWriterOptions {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(sourceDateEpoch, "sourceDateEpoch");
    }

    /** Returns options with {@code compression} and no timestamp clamping. */
    public static LayerWriterOptions of(LayerCompression compression) {
        return new LayerWriterOptions(compression, OptionalLong.empty());
    }

    /** Returns a copy that clamps timestamps to {@code epochSeconds}. */
    public LayerWriterOptions withSourceDateEpoch(long epochSeconds) {
        return new LayerWriterOptions(compression, OptionalLong.of(epochSeconds));
    }
}
