package dev.wharf.builder.exec;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.layout.AtomicFiles;
import dev.wharf.layers.layout.OciLayout;
import dev.wharf.layers.layout.OciLayoutIndex;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.ImageName;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.layer.LayerWriter;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a built image elsewhere than the local store's names: an OCI image layout directory (blobs copied and
 * verified, the manifest named by the build's tags or {@code latest}), a {@code docker load} tarball, or the root
 * filesystem unpacked into a directory or written as a tarball. Thread-safe.
 */
final class ImageExporter {
    private final BlobProvider blobs;
    private final PosixFiles posix;
    private final CanonicalJson json;

    ImageExporter(BlobProvider blobs, PosixFiles posix, CanonicalJson json) {
        this.blobs = blobs;
        this.posix = posix;
        this.json = json;
    }

    /**
     * An image as an exporter writes it.
     *
     * @param target   what the archive's {@code index.json} names: the manifest, or an index over it
     *                 ({@code BUILDKIT_MULTI_PLATFORM}), with the annotations of its entry
     * @param manifest the image's manifest ({@code manifest.json} of a docker tarball lists its config and layers)
     */
    record Image(Descriptor target, Descriptor manifest, Descriptor config, List<Descriptor> layers) {
        Image {
            layers = List.copyOf(layers);
        }

        /** The documents to copy besides the layers: the config, the manifest, and the index if there is one. */
        List<Descriptor> documents() {
            return target.digest().equals(manifest.digest()) ? List.of(config, manifest)
                    : List.of(config, manifest, target);
        }
    }

    /**
     * Adds {@code image} to the OCI layout at {@code dir} ({@code -o type=oci,tar=false}), as
     * BuildKit's client does ({@code client/ociindex}): {@code index.json} gets one entry per tag, or one tagged
     * {@code latest} when there is none, replacing entries of the same name; other entries and blobs are kept.
     */
    void oci(Path dir, Image image, List<String> tags) throws LayerException, IOException {
        Files.createDirectories(dir);
        OciLayoutIndex index = OciLayoutIndex.of(dir, json);
        index.ensureLayoutFile();
        OciLayout layout = OciLayout.at(dir);
        for (Descriptor d : image.layers()) {
            blobFile(layout, d);
        }
        for (Descriptor d : image.documents()) {
            blobFile(layout, d);
        }
        Descriptor target = image.target();
        index.add(tags.isEmpty()
                ? List.of(target.withAnnotation(Descriptor.REF_NAME_ANNOTATION, ImageName.DEFAULT_TAG))
                : indexEntries(target, tags), OciLayoutIndex.NameRule.BUILDKIT);
    }

    /**
     * A {@code docker load} tarball at {@code file}: {@code manifest.json} naming the config and layer blobs, plus
     * {@code oci-layout}, {@code index.json} and {@code blobs/sha256/}, the layout {@code docker save} writes since
     * Docker 25. Written to a temporary file and renamed into place.
     */
    void docker(Path file, Image image, List<String> tags) throws LayerException, IOException {
        archive(file, image, tags, true);
    }

    /**
     * An OCI layout as a tarball at {@code file} ({@code -o type=oci}, BuildKit's default {@code tar=true}): the
     * docker tarball without {@code manifest.json} ({@code WithSkipDockerManifest} in {@code exporter/oci}).
     */
    void ociArchive(Path file, Image image, List<String> tags) throws LayerException, IOException {
        archive(file, image, tags, false);
    }

    private void archive(Path file, Image image, List<String> tags, boolean dockerManifest)
            throws LayerException, IOException {
        Descriptor config = image.config();
        List<Descriptor> layers = image.layers();
        AtomicFiles.replaceStreamed(file, null, out -> {
            TarWriter tar = new TarWriter(out);
            directory(tar, "blobs/");
            directory(tar, "blobs/sha256/");
            for (Descriptor d : layers) {
                blob(tar, d);
            }
            for (Descriptor d : image.documents()) {
                blob(tar, d);
            }
            file(tar, "oci-layout", OciLayout.layoutFileBytes());
            file(tar, "index.json", json.write(ImageIndex.oci(indexEntries(image.target(), tags))));
            if (dockerManifest) {
                ArrayNode manifests = JsonNodeFactory.instance.arrayNode();
                ObjectNode item = manifests.addObject();
                item.put("Config", "blobs/sha256/" + config.digest().hex());
                ArrayNode repoTags = item.putArray("RepoTags");
                // containerd familiarizes them (familiarizeReference): alpine:3, not docker.io/library/alpine:3.
                tags.forEach(t -> repoTags.add(reference(t).familiar()));
                ArrayNode layerPaths = item.putArray("Layers");
                layers.forEach(l -> layerPaths.add("blobs/sha256/" + l.digest().hex()));
                file(tar, "manifest.json", manifests.toString().getBytes(StandardCharsets.UTF_8));
            }
            tar.finish();
        });
    }

    /**
     * The index entries of an archive: one per name, as containerd's {@code archive.WithManifest(desc, names...)}
     * that BuildKit's oci and docker exporters use ({@code core/images/archive/exporter.go addNameAnnotation}):
     * {@code io.containerd.image.name} is the full normalized name, {@code org.opencontainers.image.ref.name}
     * only its tag; no name gives one entry without annotations.
     */
    static List<Descriptor> indexEntries(Descriptor manifest, List<String> tags) {
        if (tags.isEmpty()) {
            return List.of(manifest);
        }
        List<Descriptor> entries = new java.util.ArrayList<>();
        for (String tag : tags) {
            dev.wharf.layers.registry.ImageReference name = reference(tag);
            entries.add(manifest.withAnnotation(Descriptor.CONTAINERD_NAME_ANNOTATION, name.toString())
                    .withAnnotation(Descriptor.REF_NAME_ANNOTATION, name.tag().orElseThrow()));
        }
        return List.copyOf(entries);
    }

    /** A build tag as a normalized reference with a tag ({@code foo} is {@code docker.io/library/foo:latest}). */
    private static dev.wharf.layers.registry.ImageReference reference(String tag) {
        try {
            return dev.wharf.layers.registry.ImageReference.parse(tag).withDefaultTag();
        } catch (dev.wharf.layers.registry.InvalidReferenceException e) {
            throw new IllegalArgumentException("invalid tag \"" + tag + "\": " + e.getMessage(), e);
        }
    }

    /** The root filesystem of {@code layers} as a tarball at {@code file} (via a scratch directory). */
    void tar(Path file, List<Descriptor> layers, Path scratch, LayerWriter writer, ExportTimes times)
            throws LayerException, IOException {
        Path root = Files.createTempDirectory(scratch, "rootfs-");
        // The tarball keeps the image's owners (BuildKit's tar exporter writes them): unpacked with them.
        unpack(root, layers, new LayerApplier(posix));
        times.apply(root, true, path -> true);
        AtomicFiles.replaceStreamed(file, null, out -> writer.writeTarStreaming(root, false, out));
    }

    private void blob(TarWriter tar, Descriptor d) throws LayerException, IOException {
        tar.putEntry(new TarEntry("blobs/sha256/" + d.digest().hex(), TarEntryType.REGULAR, 0444, 0, 0, d.size(), 0,
                "", 0, 0, Map.of()));
        try (InputStream in = blobs.open(d.digest())) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                tar.write(buffer, 0, n);
            }
        }
    }

    private static void file(TarWriter tar, String name, byte[] content) throws IOException {
        tar.putEntry(new TarEntry(name, TarEntryType.REGULAR, 0644, 0, 0, content.length, 0, "", 0, 0, Map.of()));
        tar.write(content, 0, content.length);
    }

    private static void directory(TarWriter tar, String name) throws IOException {
        tar.putEntry(new TarEntry(name, TarEntryType.DIRECTORY, 0755, 0, 0, 0, 0, "", 0, 0, Map.of()));
    }

    /**
     * The root filesystem of {@code layers} unpacked into {@code dir}, as BuildKit's local exporter writes it
     * ({@code session/filesync}): missing directories up to {@code dir} made with mode 0700 ({@code MkdirAll(dest,
     * 0700)}), every file owned by the user running the build, not by the image's owners, and dated as
     * {@link ExportTimes} says. Returns the size
     * BuildKit shows for that transfer ({@link LocalExportSize}).
     */
    long local(Path dir, List<Descriptor> layers, ExportTimes times) throws LayerException, IOException {
        List<Path> missing = new java.util.ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(p, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        LocalExportSize size = new LocalExportSize();
        for (Descriptor layer : layers) {
            try (InputStream in = blobs.open(layer.digest())) {
                size.layer(in);
            }
        }
        unpack(dir, layers, new LayerApplier(posix).withoutOwners());
        times.apply(dir, false, size::inImage);
        return size.of(dir);
    }

    private void unpack(Path dir, List<Descriptor> layers, LayerApplier applier) throws LayerException, IOException {
        for (Descriptor layer : layers) {
            try (InputStream in = blobs.open(layer.digest())) {
                applier.apply(in, dir);
            }
        }
    }

    /**
     * Writes {@code descriptor}'s blob into {@code layout} as a store writes one: verified while read, fsynced, renamed
     * into place read-only. A file of that name and size is kept: its name is its digest.
     */
    private void blobFile(OciLayout layout, Descriptor descriptor) throws LayerException, IOException {
        Path target = layout.blob(descriptor.digest());
        if (Files.isRegularFile(target) && Files.size(target) == descriptor.size()) {
            return;
        }
        Files.createDirectories(target.getParent());
        AtomicFiles.replaceStreamed(target, PosixFilePermissions.fromString("r--r--r--"), out -> {
            try (InputStream in = blobs.open(descriptor.digest())) {
                in.transferTo(out);
            }
        });
    }
}
