package dev.wharf.builder.exec;

import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.EngineException;
import dev.wharf.cache.remote.LayoutCache;
import dev.wharf.cache.remote.RegistryCache;
import dev.wharf.cache.remote.RemoteCache;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import dev.wharf.layers.registry.RegistryClient;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Makes the {@link RemoteCache} a {@code --cache-from} or {@code --cache-to} names. Stateless. */
final class RemoteCaches {
    private RemoteCaches() {
    }

    /**
     * The cache of the given type at {@code location}.
     *
     * @param flag the option, for messages
     * @throws EngineException if a registry reference is malformed
     */
    static RemoteCache of(CacheSource.Type type, String location, String tag, Supplier<RegistryClient> registry,
                          String flag) throws EngineException {
        if (type == CacheSource.Type.LOCAL) {
            return new LayoutCache(Path.of(location).toAbsolutePath(), tag);
        }
        try {
            return new RegistryCache(registry.get(), ImageReference.parse(location), location);
        } catch (InvalidReferenceException e) {
            throw new EngineException(flag + " ref=" + location + " is not a valid image reference: "
                    + e.getMessage());
        }
    }
}
