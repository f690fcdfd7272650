package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a root filesystem described by snapshot {@link Mount}s without mounting it: the layer directories are
 * searched top-down with overlayfs's rules (0:0 character devices are whiteouts, a non-directory hides everything
 * below it), and symlinks are resolved inside the root as continuity's {@code fs.RootPath} does: an absolute target
 * restarts at the root and {@code ..} stops there, so no path leaves the root.
 *
 * <p>Opaque directories ({@code trusted.overlay.opaque}) cannot be read from Java and are treated as transparent,
 * which only matters if a lower layer has a file the upper layer's opaque directory hides. Immutable; thread-safe as
 * long as the directories do not change.
 */
public final class RootView {
    private static final int MAX_SYMLINKS = 255;
    private static final int TYPE_MASK = 0170000;
    private static final int CHAR_DEVICE = 0020000;

    private final List<Path> layers;

    private RootView(List<Path> layers) {
        this.layers = List.copyOf(layers);
    }

    /** A view of the first (root) mount's layers. */
    public static RootView of(List<Mount> rootfs) {
        List<Path> dirs = new ArrayList<>();
        for (String d : rootfs.get(0).layerDirs()) {
            dirs.add(Path.of(d));
        }
        return new RootView(dirs);
    }

    /** A view of one plain directory. */
    public static RootView ofDirectory(Path dir) {
        return new RootView(List.of(dir));
    }

    /**
     * The canonical path of {@code path} inside the root: every symlink resolved within the root, {@code .} and
     * {@code ..} removed; components after the first missing one are kept literally.
     */
    public String canonical(String path) throws IOException {
        return resolve(path).canonical;
    }

    /** The host file that holds {@code path} (symlinks followed inside the root), or empty when it does not exist. */
    public Optional<Path> find(String path) throws IOException {
        Resolved r = resolve(path);
        return r.exists ? Optional.of(r.host) : Optional.empty();
    }

    /** True when {@code path} exists in the merged view (symlinks followed inside the root). */
    public boolean exists(String path) throws IOException {
        return resolve(path).exists;
    }

    private record Resolved(String canonical, boolean exists, Path host) {
    }

    private Resolved resolve(String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(split(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        int visible = layers.size();
        Path host = layers.get(0);
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                visible = visibleLayers(done);
                continue;
            }
            done.add(name);
            String rel = String.join("/", done);
            Entry entry = lookup(rel, visible);
            if (entry == null) {
                List<String> rest = new ArrayList<>(done);
                rest.addAll(todo);
                return new Resolved("/" + String.join("/", rest), false, null);
            }
            if (entry.attrs.isSymbolicLink()) {
                if (++links > MAX_SYMLINKS) {
                    throw new IOException("too many levels of symbolic links resolving " + path);
                }
                String target = Files.readSymbolicLink(entry.host).toString();
                done.remove(done.size() - 1);
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> parts = split(target);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                visible = visibleLayers(done);
                continue;
            }
            host = entry.host;
            visible = entry.attrs.isDirectory() ? entry.visibleBelow : 0;
            if (!entry.attrs.isDirectory() && !todo.isEmpty()) {
                List<String> rest = new ArrayList<>(done);
                rest.addAll(todo);
                return new Resolved("/" + String.join("/", rest), false, null);
            }
        }
        return new Resolved("/" + String.join("/", done), true, host);
    }

    private int visibleLayers(List<String> dirs) throws IOException {
        int visible = layers.size();
        List<String> prefix = new ArrayList<>();
        for (String d : dirs) {
            prefix.add(d);
            Entry e = lookup(String.join("/", prefix), visible);
            visible = e == null ? 0 : e.visibleBelow;
        }
        return visible;
    }

    private record Entry(Path host, BasicFileAttributes attrs, int visibleBelow) {
    }

    /**
     * The topmost entry for {@code rel} among the first {@code visible} layers, and how many layers stay visible
     * beneath it: a directory lets lower directories merge in, down to the first layer where the path is a
     * whiteout or not a directory.
     */
    private Entry lookup(String rel, int visible) throws IOException {
        Entry top = null;
        for (int i = 0; i < visible; i++) {
            Path candidate = layers.get(i).resolve(rel);
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            } catch (java.nio.file.FileSystemException e) {
                // ENOTDIR: a prefix is a file in this layer, so the path is absent here.
                if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                    continue;
                }
                throw e;
            }
            boolean whiteout = isWhiteout(candidate, attrs);
            if (top == null) {
                if (whiteout) {
                    return null;
                }
                if (!attrs.isDirectory()) {
                    return new Entry(candidate, attrs, 0);
                }
                top = new Entry(candidate, attrs, visible);
                continue;
            }
            if (whiteout || !attrs.isDirectory()) {
                return new Entry(top.host, top.attrs, i);
            }
        }
        return top;
    }

    private static boolean isWhiteout(Path p, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isOther()) {
            return false;
        }
        Map<String, Object> unix = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        return (((Integer) unix.get("mode")) & TYPE_MASK) == CHAR_DEVICE && ((Long) unix.get("rdev")) == 0;
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>(Arrays.asList(path.split("/")));
        parts.removeIf(String::isEmpty);
        return parts;
    }
}
