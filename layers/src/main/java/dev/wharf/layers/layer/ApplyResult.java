package dev.wharf.layers.layer;

import java.util.List;
import java.util.Objects;

/**
 * What applying a layer did: how many entries were read and how many content bytes written, and what could not be
 * reproduced exactly (device nodes without root, xattrs the filesystem refuses).
 *
 * <p>An immutable record, thread-safe.
 *
 * @param entries tar entries read, whiteouts included
 * @param contentBytes bytes of regular-file content written
 * @param warnings one line per thing skipped, naming the entry
 */
public record ApplyResult(long entries, long contentBytes, List<String> warnings) {
    /** Copies. */
    public ApplyResult {
        warnings = List.copyOf(Objects.requireNonNull(warnings, "warnings"));
    }
}
