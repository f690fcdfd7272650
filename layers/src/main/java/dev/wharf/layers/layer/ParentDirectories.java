package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves the parent directories of one apply's entries: inside the root ({@link ConfinedRoot}), or through the
 * caller's {@link LayerApplier.Directories}, and remembers each resolution by the entry's parent components. A
 * resolution stays valid while nothing is removed: it went only through existing directories and symlinks, and
 * creating new entries cannot change those (replacing one deletes it first). So every removal {@link #forgetAll
 * forgets} them, and consecutive entries of one directory (the usual tar order) resolve it once instead of one lstat
 * per component per entry. A directory entry of this layer adds itself (a real directory at the path its parent
 * resolved to), so in the usual order (a directory before its children) a new directory's children resolve it
 * without walking the root again, one lstat per component of its path. Used by the applying thread alone.
 */
final class ParentDirectories {
    private final ConfinedRoot root;
    /** Resolves parent directories instead of {@link #root}; null: the root alone. */
    private final LayerApplier.Directories resolver;
    /** The apply's directories created empty, told of those that resolving inside the root creates. */
    private final Set<Path> createdDirectories;
    private final Map<String, Path> resolved = new HashMap<>();

    ParentDirectories(ConfinedRoot root, LayerApplier.Directories resolver, Set<Path> createdDirectories) {
        this.root = root;
        this.resolver = resolver;
        this.createdDirectories = createdDirectories;
    }

    /** The entry's parent components joined by '/' ("" for a child of the root): its key here. */
    static String key(List<String> parts) {
        if (parts.size() == 1) {
            return "";
        }
        StringBuilder key = new StringBuilder(parts.get(0));
        for (int i = 1; i < parts.size() - 1; i++) {
            key.append('/').append(parts.get(i));
        }
        return key.toString();
    }

    /** The remembered parent directory of {@code key}; null when it must be resolved. */
    Path remembered(String key) {
        return resolved.get(key);
    }

    /**
     * Resolves (and makes, when missing) the parent directory of the entry {@code parts} and remembers it by
     * {@code key}. The walk lstats each component: the caller makes sure none is a file still pending.
     */
    Path resolve(String key, List<String> parts, String entryName) throws LayerException {
        Path parent = resolver != null ? resolveWith(parts.subList(0, parts.size() - 1), entryName)
                : root.resolveParent(parts, true, entryName, createdDirectories::add);
        resolved.put(key, parent);
        return parent;
    }

    /** The directory holding a hard link's {@code target} components; null when it does not exist. */
    Path ofLinkTarget(List<String> target, String entryName) throws LayerException {
        return resolver != null ? resolveWith(target.subList(0, target.size() - 1), entryName)
                : root.resolveParent(target, false, entryName);
    }

    /** Remembers {@code path}, a real directory this layer wrote, as the parent of the entries below it. */
    void enteredDirectory(String parentKey, String base, Path path) {
        resolved.put(parentKey.isEmpty() ? base : parentKey + "/" + base, path);
    }

    /**
     * Tells the resolver of the directory {@code created} where the root had nothing: the tree around the root may
     * have had a non-directory there, which the new directory replaces.
     */
    void madeDirectory(Path created) throws IOException {
        if (resolver != null) {
            resolver.madeDirectory(created);
        }
    }

    /** After a new symlink: with a resolver, a resolution may have gone through a lower layer's entry at its path. */
    void madeSymlink() {
        if (resolver != null) {
            // Nothing here removed that entry: the new symlink now decides where its children go.
            resolved.clear();
        }
    }

    /** Forgets every resolution: something was removed, which one may have gone through. */
    void forgetAll() {
        resolved.clear();
    }

    private Path resolveWith(List<String> parts, String entryName) throws LayerException {
        try {
            return resolver.directory(parts, entryName);
        } catch (IOException e) {
            throw new LayerException("entry " + entryName + ": cannot resolve its directory: " + e.getMessage(),
                    e);
        }
    }
}
