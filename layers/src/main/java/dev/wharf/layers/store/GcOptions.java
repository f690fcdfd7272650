package dev.wharf.layers.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one garbage collection.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param gracePeriod unreferenced blobs committed more recently than this are kept: another process may have just
 *     written them and not yet tagged them (re-committing an existing blob refreshes its time)
 * @param extraRoots roots besides {@code index.json}
 * @param keepSince unreferenced blobs committed at or after this instant are kept too, however long the collection
 *     waited for the store lock: the start of the longest-running live process, whose blobs (written or claimed
 *     with {@link LocalStore#claim}) may not be named by an image yet
 */
public record GcOptions(Duration gracePeriod, GcRoots extraRoots, Optional<Instant> keepSince) {
    /** The default grace period: long enough for a build to go from its first layer to its tag. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(1);

    /** Validates. */
    public GcOptions {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(extraRoots, "extraRoots");
        Objects.requireNonNull(keepSince, "keepSince");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must not be negative: " + gracePeriod);
        }
    }

    /** The defaults: {@link #DEFAULT_GRACE_PERIOD} and no extra roots. */
    public static GcOptions defaults() {
        return new GcOptions(DEFAULT_GRACE_PERIOD, GcRoots.none(), Optional.empty());
    }

    /** Returns a copy with another grace period. */
    public GcOptions withGracePeriod(Duration value) {
        return new GcOptions(value, extraRoots, keepSince);
    }

    /** Returns a copy with other extra roots. */
    public GcOptions withExtraRoots(GcRoots value) {
        return new GcOptions(gracePeriod, value, keepSince);
    }

    /** Returns a copy that also keeps the blobs committed at or after {@code value}. */
    public GcOptions withKeepSince(Instant value) {
        return new GcOptions(gracePeriod, extraRoots, Optional.of(value));
    }
}
