package dev.wharf.layers.layer;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The paths one apply has written: its entries, and every directory above them up to the root (never the root
 * itself). An opaque directory keeps what is recorded here; a child of a directory the apply created that is not
 * recorded cannot exist yet. Used by the applying thread alone.
 */
final class WrittenPaths {
    private final Path root;
    private final Set<Path> paths = new HashSet<>();

    WrittenPaths(Path root) {
        this.root = root;
    }

    boolean contains(Path path) {
        return paths.contains(path);
    }

    /**
     * Records {@code path}, a child of {@code parent}, and its ancestors: as {@link #add(Path)}, without making a
     * parent path from {@code path} in the usual case, where the parent is recorded already (this runs once per
     * entry).
     */
    void add(Path path, Path parent) {
        // The root is never recorded, so a parent found recorded is not the root: the loop would stop there.
        if (paths.add(path) && !paths.contains(parent)) {
            add(parent);
        }
    }

    /** Records {@code path} and its ancestors up to the root. */
    void add(Path path) {
        for (Path p = path; p != null && !p.equals(root) && p.startsWith(root); p = p.getParent()) {
            if (!paths.add(p)) {
                break;
            }
        }
    }
}
