package dev.wharf.builder.exec;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ImageSummary;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.Platform;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerBlobSink;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.TaggedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports a root filesystem tarball as a one-layer image ({@code docker import}), its layer stored uncompressed like
 * a built one (compressed when pushed or exported), and lists the store's images.
 * Thread-safe.
 */
final class ImageImporter {
    /** BuildKit's default PATH for Linux images. */
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Workspace workspace;

    ImageImporter(Workspace workspace) {
        this.workspace = workspace;
    }

    ImageSummary importTar(Path tarball, String reference) throws EngineException {
        ImageName name;
        try {
            name = ImageName.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new EngineException(e.getMessage());
        }
        // FileInputStream, not Files.newInputStream: the latter's available() seeks, which fails on a pipe
        // (wharf import <(busybox-rootfs.sh) ...).
        try (InputStream in = Decompressors.open(new java.io.FileInputStream(tarball.toFile()));
             LayerBlobSink sink = LayerBlobSink.open(workspace.store().blobs(),
                     LayerCompression.none(), Runnable::run)) {
            in.transferTo(sink);
            LayerBlob layer = sink.finish();
            OffsetDateTime now = OffsetDateTime.ofInstant(workspace.clock().instant(), ZoneOffset.UTC);
            Platform platform = Platform.of("linux",
                    dev.wharf.builder.plan.Platform.of("linux", System.getProperty("os.arch"), "").architecture());
            ImageConfiguration config = ImageConfiguration.of(platform,
                    ExecutionConfig.builder().env(List.of(DEFAULT_PATH)).build(),
                    RootFs.layers(List.of(layer.diffId())),
                    List.of(new HistoryEntry(now, "wharf import " + tarball.getFileName(), null, null, false)))
                    .withCreated(now);
            Descriptor configDescriptor = workspace.store().writer().writeConfig(config);
            Descriptor manifest = workspace.store().writer().writeManifest(
                    ImageManifest.oci(configDescriptor, List.of(layer.descriptor())));
            workspace.store().images().tag(name, manifest);
            return new ImageSummary(name.toString(), manifest.digest().toString(),
                    configDescriptor.digest().toString(), layer.descriptor().size());
        } catch (IOException e) {
            throw new EngineException("cannot import " + tarball + ": " + e.getMessage()
                    + "; give a tar archive of a root filesystem (plain, gzip or zstd)", e);
        }
    }

    List<ImageSummary> list() throws EngineException {
        try {
            List<ImageSummary> out = new ArrayList<>();
            for (TaggedImage image : workspace.store().images().list()) {
                Descriptor d = image.descriptor();
                String id = "";
                long size = 0;
                if (dev.wharf.layers.MediaTypes.isManifest(d.mediaType())) {
                    ImageManifest manifest = workspace.store().reader().readManifest(d);
                    id = manifest.config().digest().toString();
                    size = manifest.layers().stream().mapToLong(Descriptor::size).sum();
                }
                out.add(new ImageSummary(image.refName(), d.digest().toString(), id, size));
            }
            return out;
        } catch (LayerException e) {
            throw new EngineException("cannot list the images in " + workspace.store().root() + ": "
                    + e.getMessage(), e);
        }
    }
}
