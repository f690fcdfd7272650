package dev.wharf.layers.archive;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.MediaTypes.Compression;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.OciLayout;
import dev.wharf.layers.layout.OciLayoutIndex;
import dev.wharf.layers.registry.PlatformMatcher;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes images of a {@link LocalStore} as archives ({@code wharf save}): a docker-archive that {@code docker load}
 * (20.10 and later) and skopeo's {@code docker-archive:} transport accept, an OCI archive, or an OCI image layout
 * directory.
 *
 * <p>The bytes depend only on the images and names given: tar entries sorted by name with fixed headers (see
 * {@link ArchiveEntries}), JSON in wharf's canonical form. Blobs are written as stored and verified while they are
 * read. Names are written in the order given.
 *
 * <ul>
 *   <li>docker-archive: {@code manifest.json} ({@code Config}, {@code RepoTags}, {@code Layers}) and the files it
 *       names under {@code blobs/sha256/}, the layout of Docker 25+'s {@code docker save}. Names that point to the
 *       same image share one entry. A name pointing to an index is saved as the manifest for the exporter's
 *       platform.</li>
 *   <li>OCI: {@code oci-layout}, {@code index.json} and blobs, manifests and indexes byte for byte. Each name is
 *       one {@code index.json} entry annotated as BuildKit's OCI exporter does: {@code io.containerd.image.name}
 *       is {@code name:tag} and {@code org.opencontainers.image.ref.name} the tag, which is what
 *       {@code skopeo ... oci:DIR:tag} and {@code umoci --image DIR:tag} look up. An image pulled as Docker
 *       schema 2 keeps its Docker manifest (converting would change its digest); readers that take only OCI
 *       media types refuse such a layout.</li>
 * </ul>
 *
 * <p>Checked in the tests with {@code docker load} of dockerd 20.10 and 26, skopeo 1.9 and umoci 0.4.
 *
 * <p>Immutable and thread-safe.
 */
public final class ArchiveExporter {
    private final LocalStore store;
    private final Platform platform;

    private ArchiveExporter(LocalStore store, Platform platform) {
        this.store = Objects.requireNonNull(store, "store");
        this.platform = Objects.requireNonNull(platform, "platform");
    }

    /** Makes an exporter from {@code store}; names pointing to an index are saved for {@code platform}. */
    public static ArchiveExporter from(LocalStore store, Platform platform) {
        return new ArchiveExporter(store, platform);
    }

    /**
     * Writes a docker-archive of the named images to {@code out} (left open).
     *
     * @throws LayerException if a name is unknown, an image is incomplete or has a type Docker cannot load, or a
     *     blob does not verify
     */
    public void writeDockerArchive(List<ImageName> names, DockerLayerFormat layers, OutputStream out)
            throws LayerException {
        writeTar(dockerEntries(names, layers), out);
    }

    /** Writes a docker-archive of the named images to {@code file}, replaced atomically. */
    public void writeDockerArchive(List<ImageName> names, DockerLayerFormat layers, Path file) throws LayerException {
        ArchiveEntries entries = dockerEntries(names, layers);
        writeFile(file, out -> writeTar(entries, out));
    }

    /** Writes an OCI archive (a tar of an OCI image layout) of the named images to {@code out} (left open). */
    public void writeOciArchive(List<ImageName> names, OutputStream out) throws LayerException {
        writeTar(ociEntries(names), out);
    }

    /** Writes an OCI archive of the named images to {@code file}, replaced atomically. */
    public void writeOciArchive(List<ImageName> names, Path file) throws LayerException {
        ArchiveEntries entries = ociEntries(names);
        writeFile(file, out -> writeTar(entries, out));
    }

    /**
     * Writes the named images into the OCI image layout directory {@code dir}, creating it if needed. Into an
     * existing layout the images are added, as {@code skopeo copy ... oci:DIR:tag} does: blobs already there are
     * kept, and {@code index.json} entries with the same {@code org.opencontainers.image.ref.name} are replaced.
     *
     * @throws LayerException if {@code dir} exists, is not empty and is not an OCI layout, or writing fails
     */
    public void writeOciLayout(List<ImageName> names, Path dir) throws LayerException {
        List<Descriptor> entries = indexEntries(names);
        Map<String, ArchiveEntries.Blob> blobs = new TreeMap<>();
        collectBlobs(entries, blobs);
        OciLayoutIndex index = OciLayoutIndex.of(dir, store.json());
        try {
            // Read (and refused when not a layout) before any blob is written.
            List<Descriptor> existing = existingEntries(dir, index);
            Files.createDirectories(dir);
            for (Map.Entry<String, ArchiveEntries.Blob> blob : blobs.entrySet()) {
                writeBlobFile(dir, blob.getKey(), blob.getValue());
            }
            index.write(existing, entries, OciLayoutIndex.NameRule.SKOPEO);
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot write OCI layout " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Descriptor> existingEntries(Path dir, OciLayoutIndex index) throws LayerException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (var list = Files.list(dir)) {
            boolean empty = list.findAny().isEmpty();
            if (empty) {
                return List.of();
            }
        } catch (IOException e) {
            throw new LayerException("cannot read " + dir + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(dir.resolve("oci-layout")) || !Files.isRegularFile(dir.resolve("index.json"))) {
            throw new LayerException(dir + " is not empty and not an OCI image layout (no oci-layout or index.json); "
                    + "give an empty or new directory, or an existing layout to add to");
        }
        try {
            return index.entries();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot read " + index.indexFile() + ": " + e.getMessage(), e);
        }
    }

    private void writeBlobFile(Path dir, String path, ArchiveEntries.Blob blob) throws IOException {
        Path target = dir.resolve(path);
        if (Files.isRegularFile(target) && Files.size(target) == blob.size()) {
            return;
        }
        Files.createDirectories(target.getParent());
        AtomicFiles.replaceStreamed(target, null, out -> {
            try (var in = store.blobs().open(blob.digest())) {
                in.transferTo(out);
            }
        });
    }

    private ArchiveEntries ociEntries(List<ImageName> names) throws LayerException {
        List<Descriptor> entries = indexEntries(names);
        Map<String, ArchiveEntries.Blob> blobs = new TreeMap<>();
        collectBlobs(entries, blobs);
        ArchiveEntries archive = new ArchiveEntries();
        blobs.forEach(archive::put);
        archive.put("oci-layout", OciLayout.layoutFileBytes());
        archive.put("index.json", store.json().write(ImageIndex.oci(entries)));
        return archive;
    }

    /** The index.json entries for the names, annotated with the full name and the tag. */
    private List<Descriptor> indexEntries(List<ImageName> names) throws LayerException {
        List<Descriptor> entries = new ArrayList<>();
        for (ImageName name : names) {
            Descriptor target = resolve(name);
            Descriptor entry = target.withAnnotations(Map.of(Descriptor.CONTAINERD_NAME_ANNOTATION,
                    name.toString(), Descriptor.REF_NAME_ANNOTATION, name.tag()));
            if (!entries.contains(entry)) {
                entries.add(entry);
            }
        }
        return entries;
    }

    /** Adds every blob reachable from the roots: manifests' configs and layers, indexes' present children. */
    private void collectBlobs(List<Descriptor> roots, Map<String, ArchiveEntries.Blob> blobs)
            throws LayerException {
        for (Descriptor root : roots) {
            collect(root, true, blobs);
        }
    }

    private void collect(Descriptor d, boolean required, Map<String, ArchiveEntries.Blob> blobs)
            throws LayerException {
        String path = ArchiveContents.blobPath(d.digest());
        if (blobs.containsKey(path)) {
            return;
        }
        if (!store.blobs().exists(d.digest())) {
            if (required && !MediaTypes.isForeignLayer(d.mediaType())) {
                throw new LayerException("the store " + store.root() + " lacks " + d.mediaType() + " " + d.digest()
                        + "; the image is incomplete, pull or build it again");
            }
            return;
        }
        blobs.put(path, new ArchiveEntries.Blob(d.digest(), d.size()));
        if (MediaTypes.isManifest(d.mediaType())) {
            ImageManifest manifest = store.reader().readManifest(d);
            collect(manifest.config(), true, blobs);
            for (Descriptor layer : manifest.layers()) {
                collect(layer, true, blobs);
            }
        } else if (MediaTypes.isIndex(d.mediaType())) {
            for (Descriptor child : store.reader().readIndex(d).manifests()) {
                collect(child, false, blobs);
            }
        }
    }

    private ArchiveEntries dockerEntries(List<ImageName> names, DockerLayerFormat format) throws LayerException {
        ArchiveEntries archive = new ArchiveEntries();
        Map<Digest, List<String>> tagsByManifest = new LinkedHashMap<>();
        Map<Digest, Descriptor> manifests = new LinkedHashMap<>();
        for (ImageName name : names) {
            Descriptor manifest = platformManifest(name, resolve(name));
            manifests.putIfAbsent(manifest.digest(), manifest);
            List<String> tags = tagsByManifest.computeIfAbsent(manifest.digest(), d -> new ArrayList<>());
            if (!tags.contains(name.toString())) {
                tags.add(name.toString());
            }
        }
        List<DockerManifestEntry> entries = new ArrayList<>();
        for (Descriptor descriptor : manifests.values()) {
            ImageManifest manifest = store.reader().readManifest(descriptor);
            // Fails early, with a clear message, for types docker load cannot take (artifacts, foreign zstd).
            manifest.toDocker();
            Descriptor config = manifest.config();
            requirePresent(config);
            ImageConfiguration parsed = store.reader().readConfig(config);
            String configPath = ArchiveContents.blobPath(config.digest());
            archive.put(configPath, new ArchiveEntries.Blob(config.digest(), config.size()));
            List<Digest> diffIds = parsed.rootfs().diffIds();
            if (diffIds.size() != manifest.layers().size()) {
                throw new LayerException("image " + tagsByManifest.get(descriptor.digest()) + ": its manifest has "
                        + manifest.layers().size() + " layers but its config " + diffIds.size() + " diff IDs; the "
                        + "image is malformed");
            }
            List<String> layerPaths = new ArrayList<>();
            for (int i = 0; i < diffIds.size(); i++) {
                layerPaths.add(addDockerLayer(archive, manifest.layers().get(i), diffIds.get(i), format));
            }
            entries.add(new DockerManifestEntry(configPath, tagsByManifest.get(descriptor.digest()), layerPaths));
        }
        archive.put("manifest.json", store.json().write(entries));
        return archive;
    }

    private String addDockerLayer(ArchiveEntries archive, Descriptor layer, Digest diffId, DockerLayerFormat format)
            throws LayerException {
        requirePresent(layer);
        Compression compression = LayerBlobs.compression(store.blobs(), layer.digest());
        if (compression == Compression.NONE
                || (compression == Compression.GZIP && format == DockerLayerFormat.STORED_GZIP)) {
            String path = ArchiveContents.blobPath(layer.digest());
            archive.put(path, new ArchiveEntries.Blob(layer.digest(), layer.size()));
            return path;
        }
        String path = ArchiveContents.blobPath(diffId);
        if (!archive.contains(path)) {
            // The tar header needs the size before the content: one pass measures (and checks the diff ID),
            // the write decompresses again. Cheaper than spooling gigabytes to a temporary file.
            long size = LayerBlobs.uncompressedSize(store.blobs(), layer.digest(), diffId);
            archive.put(path, new ArchiveEntries.DecompressedBlob(layer.digest(), size));
        }
        return path;
    }

    private void requirePresent(Descriptor d) throws LayerException {
        if (!store.blobs().exists(d.digest())) {
            throw new LayerException("the store " + store.root() + " lacks " + d.mediaType() + " " + d.digest()
                    + "; the image is incomplete, pull or build it again");
        }
    }

    private Descriptor resolve(ImageName name) throws LayerException {
        return store.images().resolve(name).orElseThrow(() -> new LayerException("no image named " + name
                + " in the store " + store.root() + "; list images with wharf images"))
                .withAnnotations(Map.of());
    }

    private Descriptor platformManifest(ImageName name, Descriptor target) throws LayerException {
        if (MediaTypes.isManifest(target.mediaType())) {
            return target;
        }
        ImageIndex index = store.reader().readIndex(target);
        List<Descriptor> present = new ArrayList<>();
        for (Descriptor child : index.manifests()) {
            if (MediaTypes.isManifest(child.mediaType()) && store.blobs().exists(child.digest())) {
                present.add(child);
            }
        }
        return new PlatformMatcher(platform).select(present).orElseThrow(() -> new LayerException("image " + name
                + " is an index with no manifest for " + platform + " in the store; a docker-archive holds one "
                + "platform per image: save another platform, or use the OCI format"));
    }

    private void writeTar(ArchiveEntries entries, OutputStream out) throws LayerException {
        try {
            entries.writeTar(out, store.blobs());
            out.flush();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot write archive: " + e.getMessage(), e);
        }
    }

    private static void writeFile(Path file, AtomicFiles.Content<LayerException> content) throws LayerException {
        try {
            AtomicFiles.replaceStreamed(file, null, content);
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
