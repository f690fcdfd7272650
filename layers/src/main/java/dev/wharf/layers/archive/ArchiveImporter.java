package dev.wharf.layers.archive;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Loads every image of an archive into a {@link LocalStore} and names it there ({@code wharf load -i FILE}).
 *
 * <p>Accepted sources, recognised by content, not by file name:
 * <ul>
 *   <li>a {@code docker save} tarball, old layout ({@code <id>/layer.tar}) or Docker 25+ layout
 *       ({@code blobs/sha256/}): named by {@code RepoTags} (see {@link DockerArchiveReader});</li>
 *   <li>an OCI archive (a tar of an OCI image layout) or an OCI layout directory: named by
 *       {@code io.containerd.image.name} or {@code org.opencontainers.image.ref.name} (see
 *       {@link OciLayoutReader});</li>
 *   <li>any of these tarballs gzip- or zstd-compressed, as {@code docker load} accepts them.</li>
 * </ul>
 * An archive with both {@code manifest.json} and {@code index.json} (Docker 25+) is read by its
 * {@code manifest.json}, whose {@code RepoTags} are the names {@code docker load} would give.
 *
 * <p>Every blob is verified before it is used; hostile archives (entry names or links leaving the archive, missing
 * blobs, digest or diff ID mismatches, duplicate entries) fail with a {@link LayerException} naming the entry.
 * Names are set only after an image's blobs are all stored. A failed import may leave stored blobs behind; they
 * are unreferenced and go at the next garbage collection. Immutable and thread-safe.
 */
public final class ArchiveImporter {
    private final LocalStore store;
    private final Optional<String> bareTagRepository;

    private ArchiveImporter(LocalStore store, Optional<String> bareTagRepository) {
        this.store = Objects.requireNonNull(store, "store");
        this.bareTagRepository = bareTagRepository;
    }

    /** Makes an importer into {@code store}; OCI entries named only by a bare tag are imported unnamed. */
    public static ArchiveImporter into(LocalStore store) {
        return new ArchiveImporter(store, Optional.empty());
    }

    /**
     * Returns an importer that names OCI entries whose {@code org.opencontainers.image.ref.name} is a bare tag
     * (e.g. {@code latest}, as skopeo and umoci write) {@code repository:tag}.
     *
     * @throws IllegalArgumentException if {@code repository} is not a valid image name
     */
    public ArchiveImporter withBareTagRepository(String repository) {
        new ImageName(repository, ImageName.DEFAULT_TAG);
        return new ArchiveImporter(store, Optional.of(repository));
    }

    /**
     * Stores the blobs of one image of the OCI layout directory {@code layout} without naming it, and returns its
     * descriptor (a manifest or an index): the entry of {@code index.json} with {@code digest} when given, else the
     * one tagged {@code tag} ({@code org.opencontainers.image.ref.name}), as buildx reads {@code oci-layout://}.
     *
     * @throws LayerException if the layout is missing, malformed, or has no such image
     */
    public Descriptor importLayoutImage(Path layout, String tag, Optional<Digest> digest) throws LayerException {
        if (!Files.isDirectory(layout)) {
            throw new LayerException("OCI layout " + layout + ": no such directory");
        }
        return new OciLayoutReader(store, bareTagRepository).readSelected(
                new LayoutDirectoryContents(layout, store.blobs()), tag, digest);
    }

    /**
     * Imports every image of the archive file or layout directory at {@code source}.
     *
     * @throws LayerException if the source is missing, of no known format, or hostile or corrupted (the message
     *     names the archive and the entry)
     */
    public ImportResult importFrom(Path source) throws LayerException {
        Objects.requireNonNull(source, "source");
        ArchiveContents contents;
        boolean directory = Files.isDirectory(source);
        if (directory) {
            contents = new LayoutDirectoryContents(source, store.blobs());
        } else if (Files.isRegularFile(source)) {
            contents = TarArchiveContents.read(source, store.blobs());
        } else {
            throw new LayerException("cannot load " + source + ": no such file or directory");
        }
        if (contents.has("manifest.json")) {
            return new ImportResult(ArchiveFormat.DOCKER_ARCHIVE, new DockerArchiveReader(store).read(contents));
        }
        if (contents.has("index.json")) {
            List<ImportedImage> images = new OciLayoutReader(store, bareTagRepository).read(contents);
            return new ImportResult(directory ? ArchiveFormat.OCI_LAYOUT : ArchiveFormat.OCI_ARCHIVE, images);
        }
        if (contents.has("repositories")) {
            throw new LayerException(contents.describe() + " has no manifest.json: it is a docker save archive "
                    + "from Docker before 1.10, which wharf cannot read; save the image again with a newer Docker");
        }
        throw new LayerException(contents.describe() + " is neither a docker save archive (no manifest.json) nor "
                + "an OCI image layout (no index.json)");
    }
}
