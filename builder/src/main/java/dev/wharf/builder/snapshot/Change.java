package dev.wharf.builder.snapshot;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One filesystem change of an active snapshot against its parent, in the neutral form the layer writer turns into
 * tar entries and {@code .wh.} whiteouts. Immutable and thread-safe.
 *
 * @param kind   added, modified or deleted
 * @param path   the absolute path inside the root, with {@code /} separators (e.g. {@code /etc/passwd})
 * @param source the host file holding the new content; empty for {@link ChangeKind#DELETE}
 */
public record Change(ChangeKind kind, String path, Optional<Path> source) {
    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(source, "source");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("change path must be absolute: " + path);
        }
    }
}
