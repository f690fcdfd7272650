package dev.wharf.builder.snapshot;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.posix.PosixStat;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Makes a directory that holds the merged view of layer directories (topmost first, merged with overlayfs's rules as
 * {@link RootView} reads them) without copying any file content: every directory is made anew with its owner, mode,
 * xattrs and times, every other entry (a file, a symlink, a device or a fifo) is a hard link to the layer's own
 * inode. This is how {@code COPY --from} and {@code RUN --mount from=} read another stage: unpacking the stage's layer
 * blobs into a directory wrote every byte of the stage again (54 MB and 370 files of a JDK base to copy one jar), a
 * tree of links costs one {@code link(2)} per entry and no new inode but the directories'.
 *
 * <p>The entries share the layers' inodes, so the tree must only ever be read (or mounted read-only) and deleted;
 * writing through it would change the committed snapshots. The layers must not change while the tree is made. What
 * the layer tar of a directory would leave out is left out here too: whiteouts, overlayfs's own
 * {@code *.overlay.*} xattrs and sockets. Content and metadata are the layers' own, so the tree differs from one
 * unpacked from the layer blobs only in link counts and in sub-second modification times, which layer tars drop.
 *
 * <p>Immutable and thread-safe.
 */
public final class LinkedTree {
    private static final int TYPE_MASK = 0170000;
    private static final int DIRECTORY = 0040000;
    private static final int CHAR_DEVICE = 0020000;
    private static final int SOCKET = 0140000;

    private final PosixFiles posix;

    /** A linker that reads and writes metadata through {@code posix}. */
    public LinkedTree(PosixFiles posix) {
        this.posix = Objects.requireNonNull(posix, "posix");
    }

    /**
     * Fills the empty directory {@code target} with the merged view of {@code layers} (topmost first). The root takes
     * the topmost layer root's owner and mode, as an overlay mount shows them.
     *
     * @throws IOException    if a link or directory cannot be made (another filesystem, a refused hard link); the
     *                        caller deletes the partial tree
     * @throws LayerException if metadata cannot be read or set
     */
    public void link(List<Path> layers, Path target) throws IOException, LayerException {
        if (layers.isEmpty()) {
            return;
        }
        PosixStat root = posix.lstat(layers.get(0));
        directory(List.copyOf(layers), target);
        posix.lchown(target, root.uid(), root.gid());
        posix.chmod(target, root.mode() & 07777);
    }

    /** Links the merged entries of {@code sources} (one directory in each contributing layer, topmost first). */
    private void directory(List<Path> sources, Path target) throws IOException, LayerException {
        List<List<String>> names = new ArrayList<>(sources.size());
        List<Set<String>> present = new ArrayList<>(sources.size());
        for (Path source : sources) {
            List<String> list = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(source)) {
                for (Path entry : entries) {
                    list.add(entry.getFileName().toString());
                }
            }
            names.add(list);
            present.add(sources.size() > 1 ? new HashSet<>(list) : Set.of());
        }
        Set<String> decided = new HashSet<>();
        for (int i = 0; i < sources.size(); i++) {
            for (String name : names.get(i)) {
                if (!decided.add(name)) {
                    continue; // a layer above has it, or hid it
                }
                Path top = sources.get(i).resolve(name);
                PosixStat stat = posix.lstat(top);
                int type = stat.mode() & TYPE_MASK;
                if ((type == CHAR_DEVICE && stat.rdev() == 0) || type == SOCKET) {
                    continue; // a whiteout hides the name below; a socket is in no layer tar
                }
                Path into = target.resolve(name);
                if (type != DIRECTORY) {
                    Files.createLink(into, top);
                    continue;
                }
                // The directory merges with the same directory in the layers below, down to one where the name is
                // no directory or a whiteout, or through one that is opaque.
                List<Path> below = new ArrayList<>();
                below.add(top);
                if (!opaque(top)) {
                    for (int j = i + 1; j < sources.size(); j++) {
                        if (!present.get(j).contains(name)) {
                            continue;
                        }
                        Path lower = sources.get(j).resolve(name);
                        if ((posix.lstat(lower).mode() & TYPE_MASK) != DIRECTORY) {
                            break;
                        }
                        below.add(lower);
                        if (opaque(lower)) {
                            break;
                        }
                    }
                }
                Files.createDirectory(into);
                directory(below, into);
                // After the children, whose creation changed the directory's times; owner before mode, since a
                // chown may clear set-id bits.
                posix.lchown(into, stat.uid(), stat.gid());
                posix.chmod(into, stat.mode() & 07777);
                for (String xattr : posix.listXattrs(top)) {
                    if (!xattr.startsWith("trusted.overlay.") && !xattr.startsWith("user.overlay.")) {
                        byte[] value = posix.getXattr(top, xattr).orElse(null);
                        if (value != null) {
                            posix.setXattr(into, xattr, value);
                        }
                    }
                }
                posix.setTimes(into, stat.mtimeSeconds(), (int) stat.mtimeNsec());
            }
        }
    }

    /** Whether {@code dir} is marked opaque in either of overlayfs's xattr namespaces, as the layer writer reads it. */
    private boolean opaque(Path dir) throws LayerException {
        for (String name : List.of("user.overlay.opaque", "trusted.overlay.opaque")) {
            byte[] value = posix.getXattr(dir, name).orElse(null);
            if (value != null && value.length == 1 && value[0] == 'y') {
                return true;
            }
        }
        return false;
    }
}
