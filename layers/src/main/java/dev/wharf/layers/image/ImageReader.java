package dev.wharf.layers.image;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobNotFoundException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.json.CanonicalJson;

/**
 * Reads manifests, indexes and configs that descriptors point to, from a {@link BlobProvider}, checking each
 * document against its descriptor (size, media type) and its digest.
 *
 * <p>Immutable and thread-safe if the provider is. Documents larger than {@link #MAX_DOCUMENT_SIZE} are refused
 * before they are read, so a descriptor pointing at a layer cannot make wharf load gigabytes into memory.
 */
public final class ImageReader {
    /** The largest manifest, index or config accepted (containerd's limit for manifests is also 4 MiB). */
    public static final long MAX_DOCUMENT_SIZE = 4L * 1024 * 1024;

    private final BlobProvider blobs;
    private final CanonicalJson json;

    /** Makes a reader over the given blobs. */
    public ImageReader(BlobProvider blobs, CanonicalJson json) {
        this.blobs = blobs;
        this.json = json;
    }

    /** Reads the manifest a descriptor points to (OCI or Docker schema 2). */
    public ImageManifest readManifest(Descriptor descriptor) throws LayerException {
        requireType(descriptor, MediaTypes.isManifest(descriptor.mediaType()), "an image manifest");
        ImageManifest manifest = json.read(read(descriptor), ImageManifest.class, "manifest " + descriptor.digest());
        if (manifest.mediaType() != null && !manifest.mediaType().equals(descriptor.mediaType())) {
            throw new LayerException("manifest " + descriptor.digest() + " declares media type "
                    + manifest.mediaType() + " but its descriptor says " + descriptor.mediaType()
                    + "; the image is malformed, pull or build it again");
        }
        return manifest;
    }

    /** Reads the index (or Docker manifest list) a descriptor points to. */
    public ImageIndex readIndex(Descriptor descriptor) throws LayerException {
        requireType(descriptor, MediaTypes.isIndex(descriptor.mediaType()), "an image index");
        return json.read(read(descriptor), ImageIndex.class, "index " + descriptor.digest());
    }

    /** Reads the image config a descriptor points to (OCI or Docker). */
    public ImageConfiguration readConfig(Descriptor descriptor) throws LayerException {
        requireType(descriptor, MediaTypes.isConfig(descriptor.mediaType()), "an image config");
        return json.read(read(descriptor), ImageConfiguration.class, "image config " + descriptor.digest());
    }

    private byte[] read(Descriptor descriptor) throws LayerException {
        BlobInfo info = blobs.info(descriptor.digest())
                .orElseThrow(() -> new BlobNotFoundException(descriptor.digest(), blobs.toString()));
        if (info.size() != descriptor.size()) {
            throw new LayerException("blob " + descriptor.digest() + " is " + info.size()
                    + " bytes but its descriptor says " + descriptor.size()
                    + "; the image is malformed, pull or build it again");
        }
        return blobs.readAllBytes(descriptor.digest(), MAX_DOCUMENT_SIZE);
    }

    private static void requireType(Descriptor descriptor, boolean ok, String expected) throws LayerException {
        if (!ok) {
            throw new LayerException("descriptor " + descriptor.digest() + " has media type \""
                    + descriptor.mediaType() + "\", which is not " + expected);
        }
    }
}
