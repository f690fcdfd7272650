package dev.wharf.layers.archive;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ArchiveImporter} found and stored.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param format the format the source was recognised as
 * @param images the images stored, in the order the archive lists them
 */
public record ImportResult(ArchiveFormat format, List<ImportedImage> images) {
    /** Validates and copies. */
    public ImportResult {
        Objects.requireNonNull(format, "format");
        images = List.copyOf(images);
    }
}
