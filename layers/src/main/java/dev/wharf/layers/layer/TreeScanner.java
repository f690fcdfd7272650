package dev.wharf.layers.layer;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a directory on disk into {@link LayerChange}s: either a whole tree (every file added) or an overlayfs upper
 * directory, whose whiteouts (character devices 0:0) become {@link LayerChange.Deleted} and whose opaque
 * directories ({@code trusted.overlay.opaque=y}, or {@code user.overlay.opaque=y} under {@code -o userxattr})
 * become {@link LayerChange.OpaqueDirectory}.
 *
 * <p>Overlay upper dirs that use {@code redirect_dir} or {@code metacopy} are refused: their content is not all in
 * the upper dir. The root directory itself is not a change. Sockets are left out, as in Docker and containerd. The
 * result is in {@link LayerWriter}'s walk order, one directory sorted at a time. Immutable and thread-safe.
 */
public final class TreeScanner {
    private static final String WHITEOUT_PREFIX = ".wh.";

    private final PosixFiles posix;
    private final FileMetadataReader reader;

    /** Creates a scanner that reads xattrs through {@code posix}. */
    public TreeScanner(PosixFiles posix) {
        this.posix = Objects.requireNonNull(posix, "posix");
        this.reader = new FileMetadataReader(posix);
    }

    /** The binding this scanner reads with; the layer writer reads file content through it too. */
    PosixFiles posix() {
        return posix;
    }

    /** Returns every file under {@code root} as an addition, in walk order ({@link LayerWriter#walkOrder}). */
    public List<LayerChange> scanTree(Path root) throws LayerException {
        return collect(root, false);
    }

    /**
     * Returns the changes an overlayfs upper directory records, in walk order.
     *
     * @param upperDir the {@code upperdir} of an unmounted (or quiescent) overlay
     */
    public List<LayerChange> scanOverlayUpper(Path upperDir) throws LayerException {
        return collect(upperDir, true);
    }

    private List<LayerChange> collect(Path root, boolean overlay) throws LayerException {
        List<LayerChange> out = new ArrayList<>();
        try {
            walkSorted(root, "", overlay, out::add);
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw new LayerException("cannot scan " + root + ": " + e.getMessage(), e);
        }
        return List.copyOf(out);
    }

    /** Receives changes one at a time. */
    @FunctionalInterface
    public interface ChangeSink {
        void accept(LayerChange change) throws IOException;
    }

    /**
     * Hands the changes of the tree under {@code root} (an overlayfs upper directory when {@code overlay}) to
     * {@code sink} one at a time, already in {@link LayerWriter}'s walk order (see {@link LayerWriter#walkOrder}), so
     * a layer can be written while scanning. Memory is bounded by the entries of one directory per level of depth,
     * not by the tree's size.
     */
    public void walkSorted(Path root, boolean overlay, ChangeSink sink) throws IOException {
        walkSorted(root, "", overlay, sink);
    }

    /**
     * One item of a directory: an entry or a subtree, both keyed by the entry's name (a whiteout by the name it
     * deletes). A subtree sorts right after its directory's entry, before the next name: Go's {@code filepath.Walk}
     * visits a directory's children before its next sibling, so {@code a/x} precedes {@code a-b} and {@code a.txt}.
     */
    private record Item(byte[] key, LayerChange change, Path subtree, String path) {
        static int compare(Item a, Item b) {
            int c = java.util.Arrays.compareUnsigned(a.key, b.key);
            return c != 0 ? c : Boolean.compare(a.subtree != null, b.subtree != null);
        }
    }

    private void walkSorted(Path dir, String prefix, boolean overlay, ChangeSink sink) throws IOException {
        Listing listing = list(dir);
        List<String> names = listing.names();
        List<Item> items = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Path child = listing.paths() == null ? dir.resolve(name) : listing.paths().get(i);
            String path = prefix.isEmpty() ? name : prefix + "/" + name;
            if (name.startsWith(WHITEOUT_PREFIX)) {
                throw new LayerException("cannot put " + child + " in a layer: names starting with '.wh.' are "
                        + "reserved for whiteouts in OCI layers; rename the file");
            }
            FileMetadata meta = reader.read(child);
            if (overlay) {
                if (meta.isOverlayWhiteout()) {
                    // At the deleted name's place, where the walks of BuildKit's differs (containerd's
                    // ChangeWriter, moby's archive) meet the whiteout device, not at the .wh. name's.
                    items.add(new Item(utf8(name), new LayerChange.Deleted(path), null, path));
                    continue;
                }
                // Most entries have no xattrs: no lookups, map or copy of the metadata for them (this runs per file).
                if (!meta.xattrs().isEmpty()) {
                    refuseUnsupportedOverlayFeatures(child, meta);
                    meta = meta.withXattrs(withoutOverlayXattrs(meta.xattrs()));
                }
            }
            if (meta.kind() == FileKind.SOCKET) {
                continue;
            }
            byte[] key = utf8(name); // a directory's entry and subtree share it: keys are only compared
            items.add(new Item(key, new LayerChange.Added(path, child, meta), null, path));
            if (meta.kind() == FileKind.DIRECTORY) {
                items.add(new Item(key, null, child, path));
            }
        }
        listing = null;
        names = null;
        items.sort(Item::compare);
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            items.set(i, null); // let emitted entries go while the subtrees below are walked
            if (item.subtree() == null) {
                sink.accept(item.change());
                continue;
            }
            if (overlay && isOpaque(item.subtree())) {
                sink.accept(new LayerChange.OpaqueDirectory(item.path()));
            }
            walkSorted(item.subtree(), item.path(), overlay, sink);
        }
    }

    /** A directory's entry names and, when java.nio listed it, their paths (null: resolve each name). */
    private record Listing(List<String> names, List<Path> paths) {
    }

    /**
     * The entries of {@code dir}: through the binding (one open, getdents64 calls and a close, where java.nio makes a
     * stream, a lock and two paths per entry), else, where it cannot (an unknown platform, a name not valid in the
     * file-name charset), with java.nio, whose paths keep a name's bytes.
     */
    private Listing list(Path dir) throws LayerException {
        try {
            return new Listing(posix.listDirectory(dir), null);
        } catch (UnsupportedOperationException e) {
            // java.nio below
        } catch (LayerException e) {
            throw new LayerException("cannot list directory " + dir + ": " + e.getMessage(), e);
        }
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(paths::add);
        } catch (IOException e) {
            throw new LayerException("cannot list directory " + dir + ": " + e.getMessage(), e);
        }
        List<String> names = new ArrayList<>(paths.size());
        for (Path p : paths) {
            names.add(p.getFileName().toString());
        }
        return new Listing(names, paths);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * A renamed directory ({@code redirect_dir}) or a metadata-only copy-up ({@code metacopy}) cannot be read from
     * the upper directory alone: the first would give a wrong diff (BuildKit's {@code util/overlay} refuses it
     * too), the second would store holes instead of the file's content.
     */
    private static void refuseUnsupportedOverlayFeatures(Path path, FileMetadata meta) throws LayerException {
        for (String prefix : List.of("trusted.overlay.", "user.overlay.")) {
            if (meta.xattrs().containsKey(prefix + "redirect")) {
                throw new LayerException("cannot diff overlay upper dir entry " + path + ": it is a renamed "
                        + "directory (redirect_dir); mount the overlay with redirect_dir=off");
            }
            if (meta.xattrs().containsKey(prefix + "metacopy")) {
                throw new LayerException("cannot diff overlay upper dir entry " + path + ": it is a metadata-only "
                        + "copy (metacopy); mount the overlay with metacopy=off");
            }
        }
    }

    private boolean isOpaque(Path dir) throws LayerException {
        for (String name : List.of("trusted.overlay.opaque", "user.overlay.opaque")) {
            var value = posix.getXattr(dir, name);
            if (value.isPresent() && value.get().length == 1 && value.get()[0] == 'y') {
                return true;
            }
        }
        return false;
    }

    /** Drops overlayfs's own bookkeeping xattrs ({@code trusted.overlay.*}, {@code user.overlay.*}). */
    private static Map<String, byte[]> withoutOverlayXattrs(Map<String, byte[]> xattrs) {
        Map<String, byte[]> kept = new LinkedHashMap<>();
        xattrs.forEach((k, v) -> {
            if (!k.startsWith("trusted.overlay.") && !k.startsWith("user.overlay.")) {
                kept.put(k, v);
            }
        });
        return kept;
    }
}
