package dev.wharf.builder.exec;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.blob.BlobStore;
import dev.wharf.layers.blob.BlobWriter;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a built image elsewhere than the local store's names: an OCI image layout directory (blobs copied and
 * verified, the manifest named by the build's tags or {@code latest}), or the root filesystem unpacked into a
 * directory. Thread-safe.
 */
final class ImageExporter {
    private final BlobProvider blobs;
    private final PosixFiles posix;

    ImageExporter(BlobProvider blobs, PosixFiles posix) {
        this.blobs = blobs;
        this.posix = posix;
    }

    /** An OCI layout at {@code dir} holding the image of {@code manifest}. */
    void oci(Path dir, Descriptor manifest, Descriptor config, List<Descriptor> layers, List<String> tags)
            throws LayerException, IOException {
        LocalStore target = LocalStore.open(dir);
        for (Descriptor d : layers) {
            copy(d, target.blobs());
        }
        copy(config, target.blobs());
        copy(manifest, target.blobs());
        if (tags.isEmpty()) {
            target.images().tag(new ImageName("image", ImageName.DEFAULT_TAG), manifest);
        }
        for (String tag : tags) {
            target.images().tag(ImageName.parse(tag), manifest);
        }
    }

    /** The root filesystem of {@code layers} unpacked into {@code dir}. */
    void local(Path dir, List<Descriptor> layers) throws LayerException, IOException {
        Files.createDirectories(dir);
        LayerApplier applier = new LayerApplier(posix);
        for (Descriptor layer : layers) {
            try (InputStream in = blobs.open(layer.digest())) {
                applier.apply(in, dir);
            }
        }
    }

    private void copy(Descriptor descriptor, BlobStore target) throws LayerException, IOException {
        if (target.exists(descriptor.digest())) {
            return;
        }
        try (InputStream in = blobs.open(descriptor.digest()); BlobWriter writer = target.writer()) {
            in.transferTo(writer);
            writer.commit(descriptor.size(), descriptor.digest());
        }
    }
}
