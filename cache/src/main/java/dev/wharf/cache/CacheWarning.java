package dev.wharf.cache;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Something wrong a store recovered from without failing, e.g. a corrupt record file it removed.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param file the file concerned
 * @param message what happened and what was done, e.g. "removed corrupt cache record ...: ...; the step will be
 *     rebuilt"
 */
public record CacheWarning(Path file, String message) {
    /** Validates. */
    public CacheWarning {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return message;
    }
}
