package dev.wharf.context.source;

import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import java.util.Objects;
import java.util.Optional;

/**
 * One file a COPY writes: where it comes from in the context, where it goes in the image, and its attributes.
 * Symlinks are copied as symlinks; a file that shares its inode with one copied earlier in the same source is
 * a hard link to that earlier destination. Immutable.
 *
 * @param sourcePath context-relative path after symlink resolution, e.g. {@code src/main.c}; empty for the root
 * @param destinationPath absolute path in the image
 * @param hardlinkTo the earlier destination this file is a hard link to, if any
 */
public record FileEntry(String sourcePath, String destinationPath, FileStat stat, Optional<String> hardlinkTo) {

    public FileEntry {
        Objects.requireNonNull(sourcePath, "sourcePath");
        Objects.requireNonNull(destinationPath, "destinationPath");
        Objects.requireNonNull(stat, "stat");
        Objects.requireNonNull(hardlinkTo, "hardlinkTo");
    }

    /** The entry's kind. */
    public FileType type() {
        return stat.type();
    }
}
