package dev.wharf.layers.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.ImageReader;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Imports the images an OCI image layout's {@code index.json} lists, byte for byte (manifests keep their digests),
 * with every blob verified against its descriptor.
 *
 * <p>Naming follows containerd's {@code images/archive} importer: the full name in {@code io.containerd.image.name}
 * wins; otherwise {@code org.opencontainers.image.ref.name} is used when it is a whole reference ({@code name:tag},
 * as wharf's own store writes), and a bare tag ({@code latest}, as skopeo, umoci and BuildKit write) is joined to
 * the caller's repository for bare tags, if one is given. A manifest's config and layers must be in the archive
 * (foreign layers excepted); an index's children may be absent, as in a store that holds one platform.
 * Immutable and thread-safe.
 */
final class OciLayoutReader {
    private final LocalStore store;
    private final Optional<String> bareTagRepository;

    OciLayoutReader(LocalStore store, Optional<String> bareTagRepository) {
        this.store = store;
        this.bareTagRepository = bareTagRepository;
    }

    List<ImportedImage> read(ArchiveContents contents) throws LayerException {
        checkLayoutFile(contents);
        ImageIndex index = store.json().read(contents.read("index.json", ImageReader.MAX_DOCUMENT_SIZE),
                ImageIndex.class, "index.json of " + contents.describe());
        Map<Descriptor, List<ImageName>> images = new LinkedHashMap<>();
        Set<String> visited = new HashSet<>();
        for (Descriptor entry : index.manifests()) {
            Descriptor plain = entry.withAnnotations(Map.of());
            importTree(contents, plain, visited);
            List<ImageName> names = images.computeIfAbsent(plain, d -> new ArrayList<>());
            Optional<ImageName> name = nameOf(entry, contents);
            if (name.isPresent() && !names.contains(name.get())) {
                names.add(name.get());
            }
        }
        List<ImportedImage> result = new ArrayList<>();
        for (Map.Entry<Descriptor, List<ImageName>> image : images.entrySet()) {
            for (ImageName name : image.getValue()) {
                store.images().tag(name, image.getKey());
            }
            Descriptor target = image.getKey();
            result.add(new ImportedImage(target, MediaTypes.isManifest(target.mediaType())
                    ? store.reader().readManifest(target).config().digest() : null, image.getValue()));
        }
        return result;
    }

    /**
     * Stores the blobs of one image of the layout, names nothing, and returns its descriptor: the index entry with
     * {@code digest} when given, else the one whose {@code org.opencontainers.image.ref.name} is {@code tag} (how
     * buildx resolves {@code oci-layout://DIR:TAG@DIGEST}).
     */
    Descriptor readSelected(ArchiveContents contents, String tag, Optional<Digest> digest) throws LayerException {
        checkLayoutFile(contents);
        ImageIndex index = store.json().read(contents.read("index.json", ImageReader.MAX_DOCUMENT_SIZE),
                ImageIndex.class, "index.json of " + contents.describe());
        for (Descriptor entry : index.manifests()) {
            boolean match = digest.isPresent() ? entry.digest().equals(digest.get())
                    : tag.equals(entry.annotations().get(Descriptor.REF_NAME_ANNOTATION));
            if (match) {
                Descriptor plain = entry.withAnnotations(Map.of());
                importTree(contents, plain, new HashSet<>());
                return plain;
            }
        }
        throw new LayerException(contents.describe() + " has no image " + (digest.isPresent()
                ? "with digest " + digest.get() : "tagged " + tag) + " in its index.json");
    }

    private void checkLayoutFile(ArchiveContents contents) throws LayerException {
        if (!contents.has("oci-layout")) {
            return; // Tolerated, as skopeo and containerd tolerate it; index.json decides.
        }
        JsonNode layout = store.json().read(contents.read("oci-layout", 4096), JsonNode.class,
                "oci-layout of " + contents.describe());
        JsonNode version = layout.get("imageLayoutVersion");
        if (version == null || !version.asText().startsWith("1.")) {
            throw new LayerException(contents.describe() + ": oci-layout declares imageLayoutVersion "
                    + version + "; wharf reads version 1.x layouts");
        }
    }

    private void importTree(ArchiveContents contents, Descriptor d, Set<String> visited) throws LayerException {
        if (!visited.add(d.digest().toString())) {
            return;
        }
        if (!MediaTypes.isManifest(d.mediaType()) && !MediaTypes.isIndex(d.mediaType())) {
            throw new LayerException(contents.describe() + ": index.json lists " + d.digest() + " of media type \""
                    + d.mediaType() + "\", which is neither an image manifest nor an index");
        }
        requireBlob(contents, d);
        if (MediaTypes.isManifest(d.mediaType())) {
            ImageManifest manifest = store.reader().readManifest(d);
            requireBlob(contents, manifest.config());
            for (Descriptor layer : manifest.layers()) {
                if (MediaTypes.isForeignLayer(layer.mediaType())
                        && !contents.has(ArchiveContents.blobPath(layer.digest()))) {
                    continue; // Foreign layers live at their URLs.
                }
                requireBlob(contents, layer);
                store.variants().rememberDistributed(layer);
            }
        } else {
            for (Descriptor child : store.reader().readIndex(d).manifests()) {
                if (contents.has(ArchiveContents.blobPath(child.digest()))) {
                    importTree(contents, child, visited);
                }
            }
        }
    }

    private static void requireBlob(ArchiveContents contents, Descriptor d) throws LayerException {
        BlobInfo info = contents.blob(ArchiveContents.blobPath(d.digest()), d.digest());
        if (info.size() != d.size()) {
            throw new LayerException(contents.describe() + ": blob " + d.digest() + " is " + info.size()
                    + " bytes but its descriptor says " + d.size() + "; the archive is malformed");
        }
    }

    private Optional<ImageName> nameOf(Descriptor entry, ArchiveContents contents) throws LayerException {
        String full = entry.annotations().get(Descriptor.CONTAINERD_NAME_ANNOTATION);
        String ref = entry.annotations().get(Descriptor.REF_NAME_ANNOTATION);
        try {
            if (full != null && !full.isEmpty()) {
                return Optional.of(ImageName.parse(full));
            }
            if (ref == null || ref.isEmpty()) {
                return Optional.empty();
            }
            if (ref.contains(":") || ref.contains("/")) {
                return Optional.of(ImageName.parse(ref));
            }
            return bareTagRepository.map(repo -> new ImageName(repo, ref));
        } catch (IllegalArgumentException e) {
            throw new LayerException(contents.describe() + ": the image name in index.json ("
                    + (full != null ? full : ref) + ") is not valid: " + e.getMessage(), e);
        }
    }
}
