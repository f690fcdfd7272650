package dev.wharf.layers.archive;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.MediaTypes.Compression;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports the images of a {@code docker save} archive by its {@code manifest.json}, as moby's
 * {@code image/tarexport/load.go} does: each entry's config and layers, checked against the config's
 * {@code rootfs.diff_ids}, then its {@code RepoTags}.
 *
 * <p>The config is stored byte for byte (its digest stays Docker's image ID). Each layer is stored as it comes
 * (uncompressed in what Docker writes, gzip or zstd if a tool wrote it so) under a new OCI manifest whose layer media
 * types follow the detected compression; re-compressing would cost time on every load and gain nothing locally. The
 * diff ID of every layer is verified, by decompressing it when it is compressed. Immutable and thread-safe.
 */
final class DockerArchiveReader {
    private static final Pattern BLOB_PATH = Pattern.compile("blobs/sha256/([0-9a-f]{64})");
    private static final Pattern LEGACY_CONFIG = Pattern.compile("([0-9a-f]{64})\\.json");

    private final LocalStore store;

    DockerArchiveReader(LocalStore store) {
        this.store = store;
    }

    List<ImportedImage> read(ArchiveContents contents) throws LayerException {
        byte[] manifestJson = contents.read("manifest.json", ImageReader.MAX_DOCUMENT_SIZE);
        DockerManifestEntry[] entries = store.json().read(manifestJson, DockerManifestEntry[].class,
                "manifest.json of " + contents.describe());
        List<ImportedImage> images = new ArrayList<>();
        for (DockerManifestEntry entry : entries) {
            if (entry == null) {
                throw new LayerException("manifest.json of " + contents.describe() + " has a null entry; the "
                        + "archive is malformed");
            }
            images.add(readImage(contents, entry));
        }
        return images;
    }

    private ImportedImage readImage(ArchiveContents contents, DockerManifestEntry entry) throws LayerException {
        String what = contents.describe() + ", image " + (entry.repoTags().isEmpty() ? entry.config()
                : String.join(", ", entry.repoTags()));
        if (entry.config() == null || entry.config().isEmpty()) {
            throw new LayerException(what + ": manifest.json gives no Config; the archive is malformed");
        }
        List<ImageName> names = new ArrayList<>();
        for (String tag : entry.repoTags()) {
            try {
                names.add(ImageName.parse(tag));
            } catch (IllegalArgumentException e) {
                throw new LayerException(what + ": RepoTags entry \"" + tag + "\" is not a valid name: "
                        + e.getMessage(), e);
            }
        }
        BlobInfo configBlob = contents.blob(entry.config(), digestInName(entry.config()));
        Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, configBlob.digest(), configBlob.size());
        ImageConfiguration parsed = store.reader().readConfig(config);
        List<Digest> diffIds = parsed.rootfs().diffIds();
        if (diffIds.size() != entry.layers().size()) {
            throw new LayerException(what + ": manifest.json lists " + entry.layers().size() + " layers but the "
                    + "config has " + diffIds.size() + " diff IDs; the archive is malformed");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            String path = entry.layers().get(i);
            Matcher blobPath = BLOB_PATH.matcher(path);
            BlobInfo layer = contents.blob(path, blobPath.matches() ? Digest.sha256(blobPath.group(1)) : null);
            Compression compression = LayerBlobs.compression(store.blobs(), layer.digest());
            Digest diffId = LayerBlobs.diffId(store.blobs(), layer.digest(), compression);
            if (!diffId.equals(diffIds.get(i))) {
                throw new LayerException(what + ": layer " + path + " has diff ID " + diffId + " but the config "
                        + "expects " + diffIds.get(i) + "; the archive is corrupted or was tampered with");
            }
            Descriptor stored = Descriptor.of(LayerBlobs.ociMediaType(compression), layer.digest(), layer.size());
            store.variants().rememberDistributed(stored);
            layers.add(stored);
        }
        Descriptor manifest = store.writer().writeManifest(ImageManifest.oci(config, layers));
        for (ImageName name : names) {
            store.images().tag(name, manifest);
        }
        return new ImportedImage(manifest, config.digest(), names);
    }

    /** Returns the digest a path names: Docker 25+'s {@code blobs/sha256/<hex>} or older {@code <hex>.json}. */
    private static Digest digestInName(String path) {
        Matcher blob = BLOB_PATH.matcher(path);
        if (blob.matches()) {
            return Digest.sha256(blob.group(1));
        }
        Matcher legacy = LEGACY_CONFIG.matcher(path);
        return legacy.matches() ? Digest.sha256(legacy.group(1)) : null;
    }
}
