package dev.wharf.context.source;

import dev.wharf.context.checksum.Digest;
import java.util.List;
import java.util.Objects;

/**
 * What a COPY/ADD resolved to: its entries in the order BuildKit's copier writes them (an entry may overwrite an
 * earlier one at the same destination, as several sources into one non-directory destination do), and the content
 * checksum that goes into the step's cache key. Immutable.
 */
public record FileSet(List<FileEntry> entries, Digest checksum) {

    public FileSet {
        entries = List.copyOf(entries);
        Objects.requireNonNull(checksum, "checksum");
    }
}
