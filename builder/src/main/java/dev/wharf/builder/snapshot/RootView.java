package dev.wharf.builder.snapshot;

import dev.wharf.layers.posix.PathPresence;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a layered root filesystem without mounting it: layer directories (topmost first) merged with overlayfs's
 * rules. A 0:0 character device is a whiteout; a directory marked opaque ({@code user.overlay.opaque=y}, the
 * {@code userxattr} form that {@link OverlaySnapshotter} mounts with) hides the layers below it; a non-directory
 * hides everything below it.
 *
 * <p>Two kinds of lookup: {@link #canonical}, {@link #find} and {@link #exists} resolve symlinks inside the root as
 * continuity's {@code fs.RootPath} does (an absolute target restarts at the root, {@code ..} stops there), so no
 * path ever leaves the root; {@link #entry} and {@link #list} take paths literally, for differs. Opaque markers in
 * the {@code trusted.} namespace cannot be read from Java and count as absent.
 *
 * <p>A view of a snapshot's mounts remembers what it read of the layers below the writable one: those are committed
 * snapshots, which never change, and a RUN resolves {@code /etc} in every layer several times (its mount stubs, its
 * user), each time a stat, an open and an xattr listing per layer. The writable layer is read anew every time.
 * Thread-safe as long as the other directories do not change.
 */
public final class RootView {
    private static final int MAX_SYMLINKS = 255;
    private static final int TYPE_MASK = 0170000;
    private static final int CHAR_DEVICE = 0020000;
    private static final String OPAQUE = "overlay.opaque";

    private final List<Path> layers;
    /** The first layer that never changes while this view lives; what it and lower layers hold is remembered. */
    private final int firstFixed;
    private final Map<Probed, Probe> probes = new ConcurrentHashMap<>();

    private RootView(List<Path> layers, int firstFixed) {
        this.layers = List.copyOf(layers);
        this.firstFixed = firstFixed;
    }

    /** A view of the first (root) mount's layers. */
    public static RootView of(List<Mount> rootfs) {
        Mount root = rootfs.get(0);
        List<Path> dirs = new ArrayList<>();
        for (String d : root.layerDirs()) {
            dirs.add(Path.of(d));
        }
        // An overlay's lower directories are committed snapshots; its upper one (if any) and a bind's source are not.
        int firstFixed = !root.type().equals("overlay") ? dirs.size() : root.option("upperdir").isPresent() ? 1 : 0;
        return new RootView(dirs, firstFixed);
    }

    /** A view of layer directories, topmost first. */
    public static RootView ofLayers(List<Path> layers) {
        return new RootView(layers, layers.size());
    }

    /** A view of one plain directory. */
    public static RootView ofDirectory(Path dir) {
        return new RootView(List.of(dir), 1);
    }

    /**
     * The canonical path of {@code path} inside the root: every symlink resolved within the root, {@code .} and
     * {@code ..} removed; components after the first missing one are kept literally.
     */
    public String canonical(String path) throws IOException {
        return resolve(path).canonical;
    }

    /**
     * The canonical path of {@code parts} (components relative to the canonical directory {@code root}) with
     * {@code root} as the root: an absolute symlink target restarts there and {@code ..} stops there, as in a chroot
     * to {@code root} (go-archive's chrootarchive, which BuildKit's ADD extracts archives with).
     */
    public String canonicalWithin(String root, List<String> parts) throws IOException {
        return resolve(split(root), parts, String.join("/", parts)).canonical;
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

    /** The host file holding {@code path}, taken literally (no symlink followed), or empty when it does not exist. */
    public Optional<Path> entry(String path) throws IOException {
        int visible = layers.size();
        Entry e = null;
        for (String name : split(path)) {
            if (e != null && !e.attrs.isDirectory()) {
                return Optional.empty();
            }
            e = lookup(relative(e, name), visible);
            if (e == null) {
                return Optional.empty();
            }
            visible = e.visibleBelow;
        }
        return e == null ? Optional.of(layers.get(0)) : Optional.of(e.host);
    }

    /** The merged names in directory {@code path}, taken literally; empty when it is not a directory. */
    public List<String> list(String path) throws IOException {
        int visible = layers.size();
        String rel = "";
        for (String name : split(path)) {
            rel = rel.isEmpty() ? name : rel + "/" + name;
            Entry e = lookup(rel, visible);
            if (e == null || !e.attrs.isDirectory()) {
                return List.of();
            }
            visible = e.visibleBelow;
        }
        TreeSet<String> names = new TreeSet<>();
        TreeSet<String> hidden = new TreeSet<>();
        for (int i = 0; i < visible; i++) {
            Path dir = rel.isEmpty() ? layers.get(i) : layers.get(i).resolve(rel);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    String n = p.getFileName().toString();
                    if (names.contains(n) || hidden.contains(n)) {
                        continue;
                    }
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    (isWhiteout(p, a) ? hidden : names).add(n);
                }
            }
        }
        return List.copyOf(names);
    }

    private static String relative(Entry parent, String name) {
        return parent == null ? name : parent.rel + "/" + name;
    }

    private record Resolved(String canonical, boolean exists, Path host) {
    }

    private Resolved resolve(String path) throws IOException {
        return resolve(List.of(), split(path), path);
    }

    /** Resolves {@code parts} below {@code base}, which {@code ..} and absolute symlink targets never leave. */
    private Resolved resolve(List<String> base, List<String> parts, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(parts);
        List<String> done = new ArrayList<>(base);
        int links = 0;
        int visible = base.isEmpty() ? layers.size() : visibleLayers(done);
        Path host = layers.get(0);
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (done.size() > base.size()) {
                    done.remove(done.size() - 1);
                }
                visible = visibleLayers(done);
                continue;
            }
            done.add(name);
            Entry entry = lookup(String.join("/", done), visible);
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
                    done.subList(base.size(), done.size()).clear();
                }
                List<String> targetParts = split(target);
                for (int i = targetParts.size() - 1; i >= 0; i--) {
                    todo.addFirst(targetParts.get(i));
                }
                visible = visibleLayers(done);
                continue;
            }
            host = entry.host;
            visible = entry.visibleBelow;
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

    /**
     * @param rel          the path relative to a layer root
     * @param visibleBelow how many layers (from the top) may contribute to this entry's children
     */
    private record Entry(String rel, Path host, BasicFileAttributes attrs, int visibleBelow) {
    }

    /**
     * The topmost entry for {@code rel} among the first {@code visible} layers. A directory lets lower directories
     * merge in, down to the first layer where the path is a whiteout or not a directory, or through the layer
     * where it is opaque.
     */
    private Entry lookup(String rel, int visible) throws IOException {
        Entry top = null;
        for (int i = 0; i < visible; i++) {
            Probe probe = probe(i, rel);
            if (probe == Probe.ABSENT) {
                continue;
            }
            if (top == null) {
                if (probe.whiteout()) {
                    return null;
                }
                Path candidate = layers.get(i).resolve(rel);
                if (!probe.attrs().isDirectory()) {
                    return new Entry(rel, candidate, probe.attrs(), 0);
                }
                top = new Entry(rel, candidate, probe.attrs(), probe.opaque() ? i + 1 : visible);
                if (top.visibleBelow == i + 1) {
                    return top;
                }
                continue;
            }
            if (probe.whiteout() || !probe.attrs().isDirectory()) {
                return new Entry(rel, top.host, top.attrs, i);
            }
            if (probe.opaque()) {
                return new Entry(rel, top.host, top.attrs, i + 1);
            }
        }
        return top;
    }

    /**
     * A path in one layer. Its equals and hashCode are written out: a record's generated ones are linked through
     * {@code ObjectMethods}' bootstrap on first use, which spins method handles and lambda forms that the class-data
     * archive cannot hold (about 5 ms of a fresh CLI JVM's first COPY or RUN, profiled with JFR).
     */
    private record Probed(int layer, String rel) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Probed that && layer == that.layer && rel.equals(that.rel);
        }

        @Override
        public int hashCode() {
            return 31 * layer + rel.hashCode();
        }
    }

    /**
     * What one layer holds at a path: its attributes, whether it is a whiteout and, for a directory, whether it is
     * opaque; {@link #ABSENT} when nothing (or a path under a non-directory).
     */
    private record Probe(BasicFileAttributes attrs, boolean whiteout, boolean opaque) {
        static final Probe ABSENT = new Probe(null, false, false);
    }

    private Probe probe(int layer, String rel) throws IOException {
        if (layer < firstFixed) {
            return read(layers.get(layer).resolve(rel));
        }
        Probed at = new Probed(layer, rel);
        Probe known = probes.get(at);
        if (known == null) {
            known = read(layers.get(layer).resolve(rel));
            probes.put(at, known);
        }
        return known;
    }

    private static Probe read(Path candidate) throws IOException {
        // Most probes miss (see PathPresence): answer those without java.nio's exceptions.
        if (!PathPresence.mayExist(candidate)) {
            return Probe.ABSENT;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Probe.ABSENT;
        } catch (FileSystemException e) {
            // ENOTDIR: a prefix is a file in this layer, so the path is absent here.
            if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                return Probe.ABSENT;
            }
            throw e;
        }
        boolean whiteout = isWhiteout(candidate, attrs);
        return new Probe(attrs, whiteout, !whiteout && attrs.isDirectory() && isOpaque(candidate));
    }

    /** A 0:0 character device: overlayfs's mark of a deleted path. */
    static boolean isWhiteout(Path p, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isOther()) {
            return false;
        }
        Map<String, Object> unix = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        return (((Integer) unix.get("mode")) & TYPE_MASK) == CHAR_DEVICE && ((Long) unix.get("rdev")) == 0;
    }

    /** A directory whose {@code user.overlay.opaque} is {@code y}: it hides the layers below it. */
    static boolean isOpaque(Path dir) throws IOException {
        UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (xattrs == null) {
            return false;
        }
        try {
            if (!xattrs.list().contains(OPAQUE)) {
                return false;
            }
            ByteBuffer value = ByteBuffer.allocate(16);
            int n = xattrs.read(OPAQUE, value);
            return n == 1 && value.get(0) == 'y';
        } catch (FileSystemException e) {
            // The filesystem has no user xattrs (ENOTSUP): nothing can be opaque there.
            return false;
        }
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>(Arrays.asList(path.split("/")));
        parts.removeIf(String::isEmpty);
        return parts;
    }
}
