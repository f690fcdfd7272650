package dev.wharf.cache.remote;

import dev.wharf.cache.CacheArtifact;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheRecord;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.archive.RootfsImportOptions;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.registry.PlatformMatcher;
import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.ManifestResponse;
import dev.wharf.layers.registry.RegistryClient;
import dev.wharf.layers.registry.RegistryException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A build cache in a registry repository under one tag ({@code --cache-to type=registry,ref=R}), through the
 * registry client: blobs are uploaded only when the repository lacks them, then the manifest replaces the tag.
 *
 * <p>Immutable and thread-safe (the client is).
 */
public final class RegistryCache implements RemoteCache {
    private static final CanonicalJson JSON = CanonicalJson.shared();

    private final RegistryClient client;
    private final ImageReference reference;
    /** The reference as the option spelled it, for the import step's name. */
    private final String given;

    /**
     * Makes the cache at {@code reference}; without tag or digest it is {@code :latest}, as in BuildKit.
     */
    public RegistryCache(RegistryClient client, ImageReference reference) {
        this(client, reference, reference.toString());
    }

    /** As {@link #RegistryCache(RegistryClient, ImageReference)}, {@code given} being how the option spelled it. */
    public RegistryCache(RegistryClient client, ImageReference reference, String given) {
        this.client = Objects.requireNonNull(client, "client");
        Objects.requireNonNull(reference, "reference");
        this.reference = reference.digest().isPresent() ? reference : reference.withDefaultTag();
        this.given = Objects.requireNonNull(given, "given");
    }

    @Override
    public String importName() {
        return "importing cache manifest from " + given;
    }

    @Override
    public boolean failureIsWarning(Exception failure) {
        return !(failure instanceof Unresolved);
    }

    /** The cache's reference did not resolve: no manifest, or the registry could not be asked. */
    private static final class Unresolved extends RegistryException {
        private static final long serialVersionUID = 1L;

        Unresolved(String message, RegistryException cause) {
            super(message, cause.goReason().orElse(null), cause.statusCode(), cause);
        }
    }

    @Override
    public String describe() {
        return "registry " + reference;
    }

    @Override
    public ImportedCache load(BlobStore store) throws LayerException, CacheException {
        ManifestResponse response;
        try {
            response = client.pullManifest(reference);
        } catch (RegistryException e) {
            throw unresolved(e);
        }
        Optional<ImageManifest> image = imageManifest(response);
        if (image.isPresent()) {
            return inline(image.get(), store);
        }
        ImageManifest manifest = CacheManifests.parse(response.content(), response.mediaType(), describe());
        client.pullBlob(reference, manifest.config(), store);
        byte[] config = store.readAllBytes(manifest.config().digest(), CacheArtifact.MAX_CONFIG_SIZE);
        List<CacheRecord> records = CacheManifests.records(manifest, config, describe());
        return new ImportedCache(describe(), records, (blob, into) -> client.pullBlob(reference, blob, into));
    }

    /**
     * A cache whose reference does not resolve, in BuildKit's words: its registry importer resolves the reference
     * while it is configured, and the import step fails with {@code failed to configure registry cache importer:}
     * and containerd's resolver error ({@code REF: not found}, {@code failed to do request: Head "https://..."}),
     * wharf's own message where it has no such words.
     */
    private RegistryException unresolved(RegistryException e) {
        String reason = e.statusCode() == 404 ? reference + ": not found" : e.goReason().orElse(e.getMessage());
        return new Unresolved("failed to configure registry cache importer: " + reason, e);
    }

    /**
     * The image manifest for this host when the reference names an image (a manifest with an image config, or an
     * index of them) rather than a cache artifact: then the cache is the one inline in its config.
     */
    private Optional<ImageManifest> imageManifest(ManifestResponse response) throws LayerException {
        if (MediaTypes.isIndex(response.mediaType())) {
            ImageIndex index = JSON.read(response.content(), ImageIndex.class, "index of " + reference);
            if (index.manifests().stream().anyMatch(d -> CacheManifests.BUILDKIT_CACHE_CONFIG.equals(d.mediaType()))) {
                return Optional.empty();
            }
            Optional<Descriptor> chosen = new PlatformMatcher(RootfsImportOptions.hostPlatform())
                    .select(index.manifests());
            if (chosen.isEmpty()) {
                return Optional.empty();
            }
            response = client.pullManifest(reference, chosen.get().digest());
        }
        if (!MediaTypes.isManifest(response.mediaType())) {
            return Optional.empty();
        }
        ImageManifest manifest = JSON.read(response.content(), ImageManifest.class, "manifest of " + reference);
        return MediaTypes.isConfig(manifest.config().mediaType()) ? Optional.of(manifest) : Optional.empty();
    }

    /** The inline cache of an image ({@link InlineCache}), its layers fetched from the image's repository. */
    private ImportedCache inline(ImageManifest manifest, BlobStore store) throws LayerException, CacheException {
        client.pullBlob(reference, manifest.config(), store);
        byte[] configBytes = store.readAllBytes(manifest.config().digest(), CacheArtifact.MAX_CONFIG_SIZE);
        ImageConfiguration config = JSON.read(configBytes, ImageConfiguration.class, "config of " + reference);
        List<CacheRecord> records = InlineCache.extract(config, manifest, "image " + reference);
        return new ImportedCache("image " + reference, records,
                (blob, into) -> client.pullBlob(reference, blob, into));
    }

    @Override
    public void save(Collection<CacheRecord> records, BlobProvider layers) throws LayerException {
        CacheManifests.Artifact artifact = CacheManifests.of(records);
        for (Descriptor layer : artifact.layers()) {
            client.pushBlob(reference, layer, layers, Optional.empty());
        }
        client.pushBlob(reference, artifact.configDescriptor(), new MemoryBlob(artifact.config()), Optional.empty());
        client.pushManifest(reference, artifact.manifest(), MediaTypes.OCI_MANIFEST);
    }
}
