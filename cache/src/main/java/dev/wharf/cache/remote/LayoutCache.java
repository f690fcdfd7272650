package dev.wharf.cache.remote;

import dev.wharf.cache.CacheArtifact;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheRecord;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.blob.BlobWriter;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.OciLayout;
import dev.wharf.layers.layout.StoreLock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A build cache in an OCI image layout directory ({@code --cache-to type=local,dest=DIR},
 * {@code --cache-from type=local,src=DIR}), as BuildKit's local cache exporter keeps one: {@code oci-layout},
 * {@code blobs/sha256/...} and an {@code index.json} naming the cache manifest by
 * {@code org.opencontainers.image.ref.name} (the tag, {@code latest} by default), so several caches can share one
 * directory and its blobs.
 *
 * <p>Immutable and thread-safe. Importing only reads the directory; every blob copied out of it is verified.
 * Exporting adds blobs the directory lacks, then replaces {@code index.json} atomically under the layout's lock;
 * blobs of a replaced cache stay (like BuildKit's exporter, wharf does not collect them).
 */
public final class LayoutCache implements RemoteCache {
    /** The tag used when none is given, as in BuildKit. */
    public static final String DEFAULT_TAG = "latest";

    private static final CanonicalJson JSON = CanonicalJson.shared();

    private final OciLayout layout;
    private final String tag;

    /** Makes the cache named {@code tag} in the layout at {@code dir}. */
    public LayoutCache(Path dir, String tag) {
        this.layout = OciLayout.at(Objects.requireNonNull(dir, "dir"));
        this.tag = Objects.requireNonNull(tag, "tag").isEmpty() ? DEFAULT_TAG : tag;
    }

    @Override
    public String describe() {
        return "directory " + layout.root() + (tag.equals(DEFAULT_TAG) ? "" : " (tag " + tag + ")");
    }

    @Override
    public ImportedCache load(BlobStore store) throws LayerException, CacheException {
        ImageIndex index = readIndex().orElseThrow(() -> new LayerException("no build cache in " + describe()
                + ": " + layout.indexFile() + " does not exist; export one there with --cache-to type=local,dest="
                + layout.root()));
        Descriptor descriptor = index.manifests().stream().filter(this::isOurs).reduce((a, b) -> b)
                .orElseThrow(() -> new LayerException("no build cache tagged " + tag + " in " + layout.indexFile()));
        if (descriptor.size() > CacheArtifact.MAX_CONFIG_SIZE) {
            throw new CacheException(describe() + " names a manifest of " + descriptor.size()
                    + " bytes; it is corrupt");
        }
        BlobSource blobs = this::copy;
        blobs.fetch(descriptor, store);
        byte[] bytes = store.readAllBytes(descriptor.digest(), CacheArtifact.MAX_CONFIG_SIZE);
        ImageManifest manifest = CacheManifests.parse(bytes, descriptor.mediaType(), describe());
        blobs.fetch(manifest.config(), store);
        byte[] config = store.readAllBytes(manifest.config().digest(), CacheArtifact.MAX_CONFIG_SIZE);
        return new ImportedCache(describe(), CacheManifests.records(manifest, config, describe()), blobs);
    }

    private boolean isOurs(Descriptor d) {
        return tag.equals(d.annotations().get(Descriptor.REF_NAME_ANNOTATION));
    }

    private Optional<ImageIndex> readIndex() throws LayerException {
        try {
            return Optional.of(JSON.read(Files.readAllBytes(layout.indexFile()), ImageIndex.class,
                    layout.indexFile().toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LayerException("cannot read " + layout.indexFile() + ": " + e.getMessage(), e);
        }
    }

    /** Copies a blob of the layout into {@code store}, verified at commit. */
    private void copy(Descriptor blob, BlobStore store) throws LayerException {
        if (store.exists(blob.digest())) {
            return;
        }
        Path file = layout.blob(blob.digest());
        try (InputStream in = Files.newInputStream(file); BlobWriter writer = store.writer(blob.digest().algorithm())) {
            in.transferTo(writer);
            writer.commit(blob.size(), blob.digest());
        } catch (NoSuchFileException e) {
            throw new LayerException("blob " + blob.digest() + " is missing from " + describe() + " (" + file
                    + "); export the cache there again with --cache-to", e);
        } catch (IOException e) {
            throw new LayerException("cannot copy " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(Collection<CacheRecord> records, BlobProvider layers) throws LayerException {
        CacheManifests.Artifact artifact = CacheManifests.of(records);
        FileBlobStore target = FileBlobStore.open(layout.root());
        for (Descriptor layer : artifact.layers()) {
            if (!target.exists(layer.digest())) {
                try (InputStream in = layers.open(layer.digest());
                     BlobWriter writer = target.writer(layer.digest().algorithm())) {
                    in.transferTo(writer);
                    writer.commit(layer.size(), layer.digest());
                } catch (IOException e) {
                    throw new LayerException("cannot write layer " + layer.digest() + " into " + describe() + ": "
                            + e.getMessage(), e);
                }
            }
        }
        target.put(artifact.config());
        target.put(artifact.manifest());
        Descriptor manifest = artifact.manifestDescriptor().withAnnotation(Descriptor.REF_NAME_ANNOTATION, tag);
        try (StoreLock.Held held = new StoreLock(layout.lockFile()).acquire()) {
            List<Descriptor> manifests = new ArrayList<>();
            readIndex().ifPresent(index -> index.manifests().stream().filter(d -> !isOurs(d))
                    .forEach(manifests::add));
            manifests.add(manifest);
            AtomicFiles.replace(layout.indexFile(), JSON.write(ImageIndex.oci(manifests)), layout.ingestDir());
        } catch (IOException e) {
            throw new LayerException("cannot write " + layout.indexFile() + ": " + e.getMessage(), e);
        }
    }
}
