package dev.wharf.builder.exec;

import dev.wharf.builder.snapshot.RootView;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the entries of an archive that ADD unpacks into a snapshot go: BuildKit extracts into the mounted snapshot
 * with go-archive's chrootarchive, chrooted to the destination (solver/llbsolver/file/unpack.go), so an entry's path
 * goes through the directories and symlinks of the layers below, which the snapshot's writable directory alone does
 * not hold. Parents are resolved in the merged view with the destination as the root ({@link FileWriter}); a
 * directory that replaces a lower layer's file or symlink is marked opaque, as overlayfs marks a directory made where
 * a whiteout was (the {@code .wh..wh..opq} BuildKit's layer then carries).
 *
 * <p>Not thread-safe: one per unpacked archive.
 */
final class ArchiveDirectories implements LayerApplier.Directories {
    private static final byte[] YES = "y".getBytes(StandardCharsets.UTF_8);

    private final FileWriter writer;
    private final String destination;
    private final Path upper;
    private final RootView below;
    private final PosixFiles posix;

    /**
     * @param destination the canonical destination directory in the image
     * @param upper       the snapshot's writable directory
     * @param below       the layers under it (empty when the snapshot is a full copy)
     */
    ArchiveDirectories(FileWriter writer, String destination, Path upper, Optional<RootView> below,
                       PosixFiles posix) {
        this.writer = writer;
        this.destination = destination;
        this.upper = upper;
        this.below = below.orElse(null);
        this.posix = posix;
    }

    @Override
    public Path directory(List<String> parts, String entry) throws IOException, LayerException {
        return writer.archiveDirectory(destination, parts);
    }

    @Override
    public void madeDirectory(Path created) throws IOException, LayerException {
        if (below == null) {
            return;
        }
        Optional<Path> lower = below.entry("/" + upper.relativize(created));
        if (lower.isPresent() && !Files.isDirectory(lower.get(), LinkOption.NOFOLLOW_LINKS)) {
            posix.setXattr(created, "user.overlay.opaque", YES);
            try {
                posix.setXattr(created, "trusted.overlay.opaque", YES);
            } catch (LayerException ignored) {
                // Only root may set trusted.*; the user. mark is the one wharf's overlays and differs read.
            }
        }
    }
}
