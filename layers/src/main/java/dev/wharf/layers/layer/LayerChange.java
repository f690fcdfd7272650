package dev.wharf.layers.layer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One change a layer records, in neutral terms (no overlayfs or tar encoding): a path added or modified, a path
 * deleted, or a directory made opaque (its lower contents hidden).
 *
 * <p>Paths are relative to the layer root, {@code /}-separated, with no empty, {@code .} or {@code ..} components
 * and no leading or trailing slash. Implementations are immutable records and thread-safe.
 */
public sealed interface LayerChange permits LayerChange.Added, LayerChange.Deleted, LayerChange.OpaqueDirectory {
    /** Returns the path inside the layer. */
    String path();

    /**
     * A path added or modified: the layer stores it with {@code metadata}, and a regular file's content is read from
     * {@code source} (never through a symlink).
     *
     * @param path the path inside the layer
     * @param source where the file is on disk
     * @param metadata the file's type and attributes, usually read from {@code source} by {@link FileMetadataReader}
     */
    record Added(String path, Path source, FileMetadata metadata) implements LayerChange {
        /** Validates. */
        public Added {
            checkPath(path);
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    /**
     * A path deleted from the layers below; written as a {@code .wh.<name>} whiteout.
     *
     * @param path the deleted path
     */
    record Deleted(String path) implements LayerChange {
        /** Validates. */
        public Deleted {
            checkPath(path);
        }
    }

    /**
     * A directory whose contents in the layers below are hidden; written as {@code <dir>/.wh..wh..opq}. The
     * directory itself must also be {@link Added}.
     *
     * @param path the directory
     */
    record OpaqueDirectory(String path) implements LayerChange {
        /** Validates. */
        public OpaqueDirectory {
            checkPath(path);
        }
    }

    private static void checkPath(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("layer path must be relative, without a trailing slash: '" + path
                    + "'");
        }
        // Component by component without splitting: one check per entry of every layer written.
        int start = 0;
        while (start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            int length = end - start;
            if (length == 0 || (path.charAt(start) == '.' && (length == 1
                    || (length == 2 && path.charAt(start + 1) == '.')))) {
                throw new IllegalArgumentException("layer path has an empty, '.' or '..' component: '" + path + "'");
            }
            if (path.startsWith(".wh.", start)) {
                throw new IllegalArgumentException("layer path uses the reserved whiteout prefix: '" + path + "'");
            }
            start = end + 1;
        }
    }
}
