package dev.wharf.layers.image;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.json.CanonicalJson;

/**
 * Writes configs, manifests and indexes into a {@link BlobStore} as canonical JSON and returns their descriptors.
 *
 * <p>Immutable and thread-safe if the store is. Writes OCI media types: a manifest's descriptor takes the
 * manifest's own media type (so a Docker manifest read elsewhere is stored under its Docker type), defaulting to
 * the OCI type when the manifest has none.
 */
public final class ImageWriter {
    private final BlobStore blobs;
    private final CanonicalJson json;

    /** Makes a writer into the given store. */
    public ImageWriter(BlobStore blobs, CanonicalJson json) {
        this.blobs = blobs;
        this.json = json;
    }

    /** Stores a config and returns its OCI config descriptor. */
    public Descriptor writeConfig(ImageConfiguration config) throws LayerException {
        return put(MediaTypes.OCI_CONFIG, json.write(config));
    }

    /** Stores a manifest and returns its descriptor. */
    public Descriptor writeManifest(ImageManifest manifest) throws LayerException {
        return put(manifest.mediaType() == null ? MediaTypes.OCI_MANIFEST : manifest.mediaType(),
                json.write(manifest));
    }

    /** Stores an index and returns its descriptor. */
    public Descriptor writeIndex(ImageIndex index) throws LayerException {
        return put(index.mediaType() == null ? MediaTypes.OCI_INDEX : index.mediaType(), json.write(index));
    }

    private Descriptor put(String mediaType, byte[] content) throws LayerException {
        BlobInfo info = blobs.put(content);
        return Descriptor.of(mediaType, info.digest(), info.size());
    }
}
