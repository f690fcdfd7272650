/**
 * The remote step cache: wharf's build cache records exported to, and imported from, a registry or an OCI image
 * layout directory, so machines that share a registry share their step cache ({@code --cache-to},
 * {@code --cache-from}).
 *
 * <p><b>The artifact.</b> One OCI image manifest ({@code application/vnd.oci.image.manifest.v1+json}, tagged in the
 * registry repository or named by {@code org.opencontainers.image.ref.name} in the layout's {@code index.json}):
 * <ul>
 *   <li>{@code artifactType} and the config's media type are
 *       {@code application/vnd.wharf.cache.config.v1+json}; the config blob is the document of
 *       {@link dev.wharf.cache.CacheArtifact}: the records, each with its key, key inputs, creation time, result
 *       layers (descriptor, diff ID, size) and image config, exactly as a local record file holds them;</li>
 *   <li>{@code layers} are every layer blob the records name, each once, in record order, with their own media
 *       types (gzip or zstd tar layers), so the registry keeps them alive and mounts them across repositories like
 *       any image's layers.</li>
 * </ul>
 * Plain registries (the Distribution registry 2.8 included) accept such a manifest: it is an image manifest whose
 * config has a custom media type. A key is {@code sha256} of the step's canonical inputs (its parent's key or the
 * base image's manifest digest, the instruction, ARGs, platform, content checksums), never a store-local id, so a
 * key computed on one machine is a hit on another.
 *
 * <p><b>Laziness.</b> Importing ({@link RemoteCache#load}) fetches the manifest and the config only; a layer blob is
 * fetched through {@link ImportedCache#blobs()} when a hit's layer is actually needed (to run a later step on it,
 * to write the final image). Concepts (not code or format) follow BuildKit's {@code cache/remotecache}
 * ({@code export.go}, {@code import.go}, {@code v1/spec.go}): {@code mode=min} exports the steps of the final
 * image's stages, {@code mode=max} every step built; a cache source that cannot be read is a warning.
 */
package dev.wharf.cache.remote;
