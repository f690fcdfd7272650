package dev.wharf.cache.remote;

import dev.wharf.cache.CacheArtifact;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheRecord;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layer.LayerBlob;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OCI manifest of a cache artifact (see the package documentation): made from records and their config, and
 * checked when read back.
 *
 * <p>Stateless and thread-safe.
 */
final class CacheManifests {
    private static final CanonicalJson JSON = CanonicalJson.shared();

    /**
     * The media type of BuildKit's own cache config ({@code cache/remotecache/v1/types/spec.go}): the config of its
     * {@code image-manifest=true} cache manifest, or an entry of the index it exports by default.
     */
    static final String BUILDKIT_CACHE_CONFIG = "application/vnd.buildkit.cacheconfig.v0";

    private CacheManifests() {
    }

    /** Whether an index lists BuildKit's cache config among its entries (BuildKit's default cache export). */
    private static boolean listsBuildKitCacheConfig(byte[] content) {
        try {
            return JSON.read(content, ImageIndex.class, "index").manifests().stream()
                    .anyMatch(d -> BUILDKIT_CACHE_CONFIG.equals(d.mediaType()));
        } catch (LayerException e) {
            return false;
        }
    }

    /**
     * Why a BuildKit cache cannot be used (docs/remote-cache.md, "BuildKit's cache format"): its records are keyed
     * by digests of LLB vertices, which wharf, having no LLB, never computes.
     */
    private static CacheException buildKitCache(String source) {
        return new CacheException(source + " is a BuildKit build cache (" + BUILDKIT_CACHE_CONFIG + "): its records "
                + "are keyed by BuildKit's LLB vertex digests, which wharf's step keys cannot match; export a cache "
                + "for wharf with wharf build --cache-to");
    }

    /** The blobs of one artifact: the config document, its descriptor, the layers and the manifest bytes. */
    record Artifact(byte[] config, Descriptor configDescriptor, List<Descriptor> layers, byte[] manifest) {
        Descriptor manifestDescriptor() {
            return Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256Of(manifest), manifest.length);
        }
    }

    /** Makes the artifact of {@code records}: each layer blob once, in record (key) order. */
    static Artifact of(Collection<CacheRecord> records) {
        byte[] config = CacheArtifact.writeConfig(records);
        Descriptor configDescriptor = Descriptor.of(CacheArtifact.CONFIG_MEDIA_TYPE, Digest.sha256Of(config),
                config.length);
        Map<Digest, Descriptor> layers = new LinkedHashMap<>();
        records.stream().sorted(java.util.Comparator.comparing(CacheRecord::key))
                .flatMap(r -> r.result().layers().stream())
                .map(LayerBlob::descriptor)
                .forEach(d -> layers.putIfAbsent(d.digest(), Descriptor.of(d.mediaType(), d.digest(), d.size())));
        ImageManifest manifest = new ImageManifest(2, MediaTypes.OCI_MANIFEST, CacheArtifact.CONFIG_MEDIA_TYPE,
                configDescriptor, List.copyOf(layers.values()), null, null, null);
        return new Artifact(config, configDescriptor, List.copyOf(layers.values()), JSON.write(manifest));
    }

    /**
     * Parses a fetched manifest and checks that it is a wharf cache.
     *
     * @throws CacheException if it is another kind of document (an image, BuildKit's cache)
     */
    static ImageManifest parse(byte[] content, String mediaType, String source) throws CacheException {
        if (MediaTypes.isIndex(mediaType) && listsBuildKitCacheConfig(content)) {
            throw buildKitCache(source);
        }
        if (!MediaTypes.OCI_MANIFEST.equals(mediaType)) {
            throw new CacheException(source + " is not a wharf build cache: it is a " + mediaType
                    + " (wharf reads only caches that wharf exported with --cache-to; BuildKit's cache format "
                    + "is different)");
        }
        ImageManifest manifest;
        try {
            manifest = JSON.read(content, ImageManifest.class, "cache manifest of " + source);
        } catch (LayerException e) {
            throw new CacheException(source + " holds a malformed manifest: " + e.getMessage(), e);
        }
        if (BUILDKIT_CACHE_CONFIG.equals(manifest.config().mediaType())) {
            throw buildKitCache(source);
        }
        if (!CacheArtifact.CONFIG_MEDIA_TYPE.equals(manifest.config().mediaType())) {
            throw new CacheException(source + " is not a wharf build cache: its config is a "
                    + manifest.config().mediaType() + ", not " + CacheArtifact.CONFIG_MEDIA_TYPE
                    + " (an image is no cache; export one with --cache-to)");
        }
        if (manifest.config().size() > CacheArtifact.MAX_CONFIG_SIZE) {
            throw new CacheException(source + " has a cache config of " + manifest.config().size()
                    + " bytes, more than the " + CacheArtifact.MAX_CONFIG_SIZE + " allowed; it is corrupt");
        }
        return manifest;
    }

    /**
     * Reads the records of a config and checks that every layer they name is a layer of the manifest (only those
     * are kept alive by the registry and can be fetched).
     */
    static List<CacheRecord> records(ImageManifest manifest, byte[] config, String source) throws CacheException {
        List<CacheRecord> records = CacheArtifact.readConfig(config, source);
        Set<Digest> layers = manifest.layers().stream().map(Descriptor::digest).collect(Collectors.toSet());
        for (CacheRecord record : records) {
            for (LayerBlob layer : record.result().layers()) {
                if (!layers.contains(layer.descriptor().digest())) {
                    throw new CacheException("the build cache at " + source + " is corrupt: record " + record.key()
                            + " names layer " + layer.descriptor().digest() + ", which its manifest does not list;"
                            + " export it again with --cache-to");
                }
            }
        }
        return records;
    }
}
