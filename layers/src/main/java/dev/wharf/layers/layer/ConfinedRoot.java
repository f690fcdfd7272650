package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A directory that paths from a layer are resolved inside, as if it were the root of a chroot: every component is
 * looked up with {@code lstat} one at a time, a symlink met on the way is resolved against this root (an absolute
 * target restarts at the root, {@code ..} stops at the root), so no path ever leaves it. The last component is never
 * followed. This is the semantics of containerd's {@code fs.RootPath} and of Docker's chrooted extraction.
 *
 * <p>Immutable and thread-safe, but the tree is assumed not to change concurrently: the checks and the later
 * operations are separate system calls.
 */
final class ConfinedRoot {
    /** Linux's limit on symlinks followed in one lookup ({@code MAXSYMLINKS} is 40). */
    private static final int MAX_SYMLINKS = 40;

    private final Path root;

    /** Confines paths to {@code root}, which must be an existing directory. */
    ConfinedRoot(Path root) throws LayerException {
        try {
            this.root = Objects.requireNonNull(root, "root").toRealPath();
        } catch (IOException e) {
            throw new LayerException("cannot use " + root + " as the root to apply a layer to: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(this.root, LinkOption.NOFOLLOW_LINKS)) {
            throw new LayerException("cannot apply a layer to " + root + ": not a directory");
        }
    }

    /** Returns the real path of the root. */
    Path root() {
        return root;
    }

    /**
     * Splits a name from a tar entry into clean components: a leading {@code /} and {@code .} components are dropped
     * (the name is taken relative to the root, as containerd does); {@code ..} removes the previous component.
     *
     * @return the components; empty for the root itself
     * @throws LayerException if {@code ..} would climb above the root (Docker's "breakout" error)
     */
    static List<String> clean(String name, String what) throws LayerException {
        List<String> parts = new ArrayList<>();
        // indexOf instead of split: this runs once per layer entry, interpreted for the first thousands of them
        // in a fresh JVM.
        int start = 0;
        int length = name.length();
        while (start <= length) {
            int slash = name.indexOf('/', start);
            int end = slash < 0 ? length : slash;
            String part = name.substring(start, end);
            start = end + 1;
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new LayerException(what + " '" + name + "' points outside the root ('..' above the root); "
                            + "the layer is invalid or hostile");
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            if (part.indexOf('\0') >= 0) {
                throw new LayerException(what + " '" + name + "' contains a NUL byte");
            }
            parts.add(part);
        }
        return parts;
    }

    /**
     * Resolves the directory that holds the last of {@code parts}: the components before it are walked inside the
     * root, following symlinks within it.
     *
     * @param create whether missing directories are created (mode 0755, as Docker and containerd do)
     * @return the real host path of the parent directory, or null when it is missing and {@code create} is false
     * @throws LayerException if a component is not a directory or symlinks loop
     */
    Path resolveParent(List<String> parts, boolean create, String entry) throws LayerException {
        return resolveDirectory(parts.subList(0, parts.size() - 1), create, entry);
    }

    /** As {@link #resolveParent(List, boolean, String)}, telling {@code created} of each directory it creates. */
    Path resolveParent(List<String> parts, boolean create, String entry, Consumer<Path> created)
            throws LayerException {
        return resolveDirectory(parts.subList(0, parts.size() - 1), create, entry, created);
    }

    /** Resolves {@code parts} as a directory inside the root, all components followed within the root. */
    Path resolveDirectory(List<String> parts, boolean create, String entry) throws LayerException {
        return resolveDirectory(parts, create, entry, p -> { });
    }

    private Path resolveDirectory(List<String> parts, boolean create, String entry, Consumer<Path> created)
            throws LayerException {
        Deque<String> pending = new ArrayDeque<>(parts);
        List<String> current = new ArrayList<>();
        int symlinks = 0;
        try {
            while (!pending.isEmpty()) {
                String part = pending.removeFirst();
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                if (part.equals("..")) {
                    if (!current.isEmpty()) {
                        current.remove(current.size() - 1);
                    }
                    continue;
                }
                Path candidate = join(current).resolve(part);
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    if (!create) {
                        return null;
                    }
                    Files.createDirectory(candidate,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                    created.accept(candidate);
                    current.add(part);
                    continue;
                }
                if (attrs.isDirectory()) {
                    current.add(part);
                } else if (attrs.isSymbolicLink()) {
                    if (++symlinks > MAX_SYMLINKS) {
                        throw new LayerException("entry " + entry + ": too many levels of symbolic links under "
                                + String.join("/", current));
                    }
                    String target = Files.readSymbolicLink(candidate).toString();
                    if (target.startsWith("/")) {
                        current.clear();
                    }
                    List<String> targetParts = Arrays.asList(target.split("/"));
                    for (int i = targetParts.size() - 1; i >= 0; i--) {
                        pending.addFirst(targetParts.get(i));
                    }
                } else {
                    throw new LayerException("entry " + entry + ": '" + String.join("/", current)
                            + (current.isEmpty() ? "" : "/") + part + "' is not a directory");
                }
            }
        } catch (LayerException e) {
            throw e;
        } catch (IOException | InvalidPathException e) {
            throw new LayerException("entry " + entry + ": cannot resolve its directory inside " + root + ": "
                    + e.getMessage(), e);
        }
        return join(current);
    }

    private Path join(List<String> parts) {
        Path p = root;
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }
}
