package dev.wharf.builder.api;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link BuildEngine} is set up: its store root, the default sandbox runtime and the clock that dates images
 * (unless {@code SOURCE_DATE_EPOCH} is given), and how many independent stages of one build run at once.
 *
 * <p>Immutable and thread-safe.
 *
 * @param storeRoot the local store: images, blobs, build cache and snapshots live under it
 * @param runtime   {@code auto}, {@code runc}, {@code crun} or {@code builtin}
 * @param clock     the time source for image and history timestamps
 * @param parallelism the most stages of one build that run at the same time (at least 1)
 * @param registry  how registries are reached (credentials, insecure registries) to pull and push images
 */
public record EngineOptions(Path storeRoot, String runtime, Clock clock, int parallelism,
                            RegistrySettings registry) {
    public EngineOptions {
        Objects.requireNonNull(storeRoot, "storeRoot");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(registry, "registry");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
    }

    /**
     * Options for the store at {@code storeRoot}, the {@code auto} runtime, the system clock, and registry
     * credentials from Docker's config file ({@link RegistrySettings#defaults}).
     */
    public static EngineOptions of(Path storeRoot) {
        return new EngineOptions(storeRoot, "auto", Clock.systemUTC(),
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                RegistrySettings.defaults(System.getenv(), Path.of(System.getProperty("user.home"))));
    }

    /**
     * The default store root for an environment and home directory: {@code $WHARF_ROOT}, else
     * {@code $XDG_DATA_HOME/wharf}, else {@code ~/.local/share/wharf}.
     */
    public static Path defaultStoreRoot(Map<String, String> environment, Path userHome) {
        return dev.wharf.layers.store.StoreRoot.resolve(environment, userHome);
    }

    public EngineOptions withRuntime(String value) {
        return new EngineOptions(storeRoot, value, clock, parallelism, registry);
    }

    public EngineOptions withClock(Clock value) {
        return new EngineOptions(storeRoot, runtime, value, parallelism, registry);
    }

    public EngineOptions withParallelism(int value) {
        return new EngineOptions(storeRoot, runtime, clock, value, registry);
    }

    /** Returns a copy with other registry settings. */
    public EngineOptions withRegistry(RegistrySettings value) {
        return new EngineOptions(storeRoot, runtime, clock, parallelism, value);
    }
}
