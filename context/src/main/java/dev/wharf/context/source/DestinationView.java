package dev.wharf.context.source;

import dev.wharf.context.walk.FileType;
import java.util.Optional;

/**
 * What already exists in the image at a destination path, which decides where a copied file lands (BuildKit's
 * fsutil copy: a file copied onto an existing directory goes inside it). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface DestinationView {

    /** The type of what is at {@code absolutePath} in the destination (symlinks followed), if anything. */
    Optional<FileType> typeOf(String absolutePath);

    /** An empty destination (FROM scratch, or paths known not to exist). */
    static DestinationView empty() {
        return path -> path.equals("/") ? Optional.of(FileType.DIRECTORY) : Optional.empty();
    }
}
