package dev.wharf.builder.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a build exports its step cache ({@code --cache-to}): a registry repository or an OCI image layout
 * directory, read back by {@link CacheSource}. A failed export fails the build unless {@code ignoreError}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type registry, local or inline
 * @param location the image reference of a registry cache, the directory of a local one, {@code inline} for inline
 * @param tag for a local cache, its name in the layout's {@code index.json} ({@code latest} when empty)
 * @param mode which steps are exported
 * @param ignoreError a failed export is a warning instead of an error ({@code ignore-error=true})
 * @param compression how the exported layers are compressed ({@code compression=}, {@code compression-level=},
 *     {@code force-compression=}; gzip by default, as BuildKit's cache exporters)
 */
public record CacheDestination(CacheSource.Type type, String location, String tag, Mode mode, boolean ignoreError,
                               OutputCompression compression) {
    /** Which steps a cache export holds, as BuildKit's {@code mode=}. */
    public enum Mode {
        /** The steps of the stages the final image is made of (the default). */
        MIN,
        /** Every step of every stage built, intermediate stages included. */
        MAX
    }

    private static final String FLAG = "--cache-to";

    public CacheDestination {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(compression, "compression");
        if (location.isEmpty()) {
            throw new IllegalArgumentException("cache destination has no location");
        }
    }

    /** A destination with the default compression (gzip). */
    public CacheDestination(CacheSource.Type type, String location, String tag, Mode mode, boolean ignoreError) {
        this(type, location, tag, mode, ignoreError, OutputCompression.defaults());
    }

    /** A registry cache at {@code reference}. */
    public static CacheDestination registry(String reference, Mode mode) {
        return new CacheDestination(CacheSource.Type.REGISTRY, reference, "", mode, false);
    }

    /**
     * The cache inline in the built image's config ({@code type=inline}, or the build arg
     * {@code BUILDKIT_INLINE_CACHE=1}): the steps of the final stage, whose layers are the image's.
     */
    public static CacheDestination inline() {
        return new CacheDestination(CacheSource.Type.INLINE, "inline", "", Mode.MIN, false);
    }

    /** A local cache in {@code dir} under the {@code latest} tag. */
    public static CacheDestination local(Path dir, Mode mode) {
        return new CacheDestination(CacheSource.Type.LOCAL, dir.toString(), "", mode, false);
    }

    /**
     * Parses docker's syntax: {@code type=registry,ref=NAME[,mode=min|max]} (another mode is min, as in BuildKit),
     * {@code type=local,dest=DIR[,mode=...][,tag=T]}, {@code ignore-error=true}, and the layer compression
     * ({@code compression=gzip|zstd|uncompressed}, {@code compression-level=N}, {@code force-compression=true}). BuildKit's {@code oci-mediatypes}
     * and {@code image-manifest} are accepted and have no effect: wharf's cache is always an OCI image manifest.
     *
     * @throws IllegalArgumentException when the value is malformed or names an unsupported type or option
     */
    public static CacheDestination parse(String value) {
        Map<String, String> attrs = CacheSpecs.parse(value, FLAG,
                Set.of("ref", "dest", "tag", "mode", "ignore-error", "oci-mediatypes", "image-manifest", "compression",
                        "compression-level", "force-compression"), true);
        // BuildKit's control.go (parseCacheExportMode, parseCacheExportIgnoreError) takes exactly "max" and a Go
        // boolean; any other value (mode=all, mode=MAX, ignore-error=yes) is only logged at debug level, and the
        // export runs with the default: min, errors not ignored.
        Mode mode = "max".equals(attrs.get("mode")) ? Mode.MAX : Mode.MIN;
        boolean ignoreError = attrs.containsKey("ignore-error")
                && dev.wharf.grammar.go.GoNumbers.parseBool(attrs.get("ignore-error")).orElse(false);
        OutputCompression compression = OutputCompression.parse(attrs, FLAG);
        if (attrs.get("type").equals("inline")) {
            return inline();
        }
        if (attrs.get("type").equals("registry")) {
            return new CacheDestination(CacheSource.Type.REGISTRY, CacheSpecs.require(attrs, "ref", FLAG), "", mode,
                    ignoreError, compression);
        }
        return new CacheDestination(CacheSource.Type.LOCAL, CacheSpecs.require(attrs, "dest", FLAG),
                attrs.getOrDefault("tag", ""), mode, ignoreError, compression);
    }
}
