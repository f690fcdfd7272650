package dev.wharf.builder.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a build imports step cache from ({@code --cache-from}): a registry repository or an OCI image layout
 * directory that a build exported with {@link CacheDestination}. A source that cannot be read is a warning, and
 * the build goes on without it, as in BuildKit.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type registry or local
 * @param location the image reference of a registry cache, or the directory of a local one
 * @param tag for a local cache, the name of the cache in the layout's {@code index.json} ({@code latest} by
 *     default); empty for a registry cache, whose reference has its own tag
 */
public record CacheSource(Type type, String location, String tag) {
    /** Where a cache is kept. */
    public enum Type {
        /** A registry repository ({@code type=registry,ref=NAME[:TAG]}). */
        REGISTRY,
        /** An OCI image layout directory ({@code type=local,src=DIR} or {@code dest=DIR}). */
        LOCAL,
        /**
         * The built image's own config ({@code --cache-to type=inline}); read back by naming the image as a
         * registry source.
         */
        INLINE
    }

    private static final String FLAG = "--cache-from";

    public CacheSource {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(tag, "tag");
        if (location.isEmpty()) {
            throw new IllegalArgumentException("cache source has no location");
        }
    }

    /** A registry cache at {@code reference}. */
    public static CacheSource registry(String reference) {
        return new CacheSource(Type.REGISTRY, reference, "");
    }

    /** A local cache in {@code dir} under the {@code latest} tag. */
    public static CacheSource local(Path dir) {
        return new CacheSource(Type.LOCAL, dir.toString(), "");
    }

    /**
     * Parses docker's syntax: {@code type=registry,ref=NAME}, {@code type=local,src=DIR[,tag=T]}, or a bare
     * {@code NAME} for a registry.
     *
     * @throws IllegalArgumentException when the value is malformed or names an unsupported type
     */
    public static CacheSource parse(String value) {
        Map<String, String> attrs = CacheSpecs.parse(value, FLAG, Set.of("ref", "src", "tag", "digest"));
        if (attrs.get("type").equals("registry")) {
            return registry(CacheSpecs.require(attrs, "ref", FLAG));
        }
        if (attrs.containsKey("digest")) {
            throw new IllegalArgumentException(FLAG + " digest= is not supported; name the cache with tag=");
        }
        return new CacheSource(Type.LOCAL, CacheSpecs.require(attrs, "src", FLAG), attrs.getOrDefault("tag", ""));
    }
}
