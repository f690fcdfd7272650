package dev.wharf.builder.api;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link BuildEngine} is set up: its store root, the default sandbox runtime and the clock that dates images
 * (unless {@code SOURCE_DATE_EPOCH} is given).
 *
 * <p>Immutable and thread-safe.
 *
 * @param storeRoot the local store: images, blobs, build cache and snapshots live under it
 * @param runtime   {@code auto}, {@code runc}, {@code crun} or {@code builtin}
 * @param clock     the time source for image and history timestamps
 */
public record EngineOptions(Path storeRoot, String runtime, Clock clock) {
    public EngineOptions {
        Objects.requireNonNull(storeRoot, "storeRoot");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(clock, "clock");
    }

    /** Options for the store at {@code storeRoot}, the {@code auto} runtime and the system clock. */
    public static EngineOptions of(Path storeRoot) {
        return new EngineOptions(storeRoot, "auto", Clock.systemUTC());
    }

    /**
     * The default store root for an environment and home directory: {@code $WHARF_ROOT}, else
     * {@code $XDG_DATA_HOME/wharf}, else {@code ~/.local/share/wharf}.
     */
    public static Path defaultStoreRoot(Map<String, String> environment, Path userHome) {
        return dev.wharf.layers.store.StoreRoot.resolve(environment, userHome);
    }

    public EngineOptions withRuntime(String value) {
        return new EngineOptions(storeRoot, value, clock);
    }

    public EngineOptions withClock(Clock value) {
        return new EngineOptions(storeRoot, runtime, value);
    }
}
