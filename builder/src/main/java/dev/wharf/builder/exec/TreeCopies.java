package dev.wharf.builder.exec;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Copies of a stage's files for RUN mounts that show what BuildKit's snapshot of the stage shows: files that are
 * hard links of each other stay links of each other in the copy (one inode, with the stage's link count when all of
 * its links are inside the tree copied), where a copy per path made every link a file of its own, and directories
 * keep their modification times after their entries are copied in. Owners, modes and times come along. FIFOs and devices are made again with mknod (a copy
 * of their content would open them, and a FIFO blocks forever), where this process may make them; sockets, which
 * nobody can connect to through a copy, are left out.
 *
 * <p>Stateless and thread-safe; the trees must not change while they are copied.
 */
final class TreeCopies {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private TreeCopies() {
    }

    /** Copies {@code from} (a directory, file, symlink, FIFO or device) to {@code to}, which must not exist. */
    static void copy(PosixFiles posix, Path from, Path to) throws IOException {
        copyEntry(posix, from, to, p -> false, new HashMap<>());
    }

    /**
     * Copies {@code from} into {@code to}, adding only what {@code to} lacks: an entry that exists there stays as it
     * is (a directory on both sides is entered), and a path of {@code to} that {@code keep} accepts is not entered
     * at all.
     *
     * <p>Crash-safe, for a cache that outlives the copy: an entry {@code to} lacks is made whole under a
     * {@link #STAGING_PREFIX} name beside its final one and renamed into place, so an interrupted merge (a killed
     * build, a full disk) leaves complete entries and staging leftovers, never a truncated file under a real name,
     * which a later merge would keep as it keeps everything present. The leftovers in a directory are deleted when a
     * later merge enters it.
     */
    static void merge(PosixFiles posix, Path from, Path to, Predicate<Path> keep) throws IOException {
        new Merge(posix, keep).entry(from, to, to, true);
    }

    /** Whether {@code name} is a staging leftover of an interrupted {@link #merge}. */
    static boolean isStaging(String name) {
        return name.startsWith(STAGING_PREFIX);
    }

    /** The name prefix of entries a {@link #merge} is still making; no Dockerfile author picks such a name. */
    static final String STAGING_PREFIX = ".wharf-fill-";

    private static void copyEntry(PosixFiles posix, Path from, Path to, Predicate<Path> keep,
                                  Map<Object, Path> linked) throws IOException {
        checkCancelled(from);
        if (keep.test(to)) {
            return;
        }
        BasicFileAttributes attrs = Files.readAttributes(from, BasicFileAttributes.class, NOFOLLOW);
        boolean present = Files.exists(to, NOFOLLOW);
        if (attrs.isDirectory()) {
            if (present && !Files.isDirectory(to, NOFOLLOW)) {
                return;
            }
            if (!present) {
                Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            }
            for (Path child : children(from)) {
                copyEntry(posix, child, to.resolve(child.getFileName().toString()), keep, linked);
            }
            if (!present) {
                Files.setLastModifiedTime(to, attrs.lastModifiedTime());
            }
            return;
        }
        if (!present) {
            copyLeaf(posix, from, to, attrs, linked);
        }
    }

    /** Copies a file, symlink or special file to {@code to}, which does not exist. */
    private static void copyLeaf(PosixFiles posix, Path from, Path to, BasicFileAttributes attrs,
                                 Map<Object, Path> linked) throws IOException {
        if (attrs.isOther()) {
            special(posix, from, to, attrs);
            return;
        }
        if (attrs.isRegularFile() && (int) Files.getAttribute(from, "unix:nlink", NOFOLLOW) > 1) {
            Object inode = attrs.fileKey();
            Path first = linked.get(inode);
            if (first != null) {
                Files.createLink(to, first);
                return;
            }
            linked.put(inode, to);
        }
        Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static void checkCancelled(Path from) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            // A cancelled build stops here instead of copying the rest of a large stage first; the flag stays set.
            throw new InterruptedIOException("cancelled while copying " + from + " for a RUN mount");
        }
    }

    /** One crash-safe merge: what it has linked, by the inode of the source. */
    private static final class Merge {
        private final PosixFiles posix;
        private final Predicate<Path> keep;
        private final Map<Object, Path> linked = new HashMap<>();

        Merge(PosixFiles posix, Predicate<Path> keep) {
            this.posix = posix;
            this.keep = keep;
        }

        /**
         * Merges {@code from} into {@code to}. {@code shown} is where {@code to} will be once its staged ancestor is
         * renamed into place ({@code to} itself outside a staged tree): {@code keep} judges that path. {@code staging}
         * tells whether an absent entry must be staged, false inside a tree that is being staged already.
         */
        void entry(Path from, Path to, Path shown, boolean staging) throws IOException {
            checkCancelled(from);
            if (keep.test(shown)) {
                return;
            }
            BasicFileAttributes attrs = Files.readAttributes(from, BasicFileAttributes.class, NOFOLLOW);
            boolean present = Files.exists(to, NOFOLLOW);
            if (present) {
                if (attrs.isDirectory() && Files.isDirectory(to, NOFOLLOW)) {
                    dropLeftovers(to);
                    children(from, to, shown, staging);
                }
                return;
            }
            if (!staging) {
                make(from, to, shown, attrs);
                return;
            }
            Path staged = to.resolveSibling(STAGING_PREFIX + UUID.randomUUID());
            try {
                make(from, staged, shown, attrs);
                if (!Files.exists(staged, NOFOLLOW)) {
                    return; // a socket, or a device this process may not make: left out
                }
                Files.move(staged, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(staged);
                throw e;
            }
            // Links made to files of the staged tree now have them under their final names.
            linked.replaceAll((inode, p) -> p.startsWith(staged) ? to.resolve(staged.relativize(p)) : p);
        }

        private void make(Path from, Path to, Path shown, BasicFileAttributes attrs) throws IOException {
            if (!attrs.isDirectory()) {
                copyLeaf(posix, from, to, attrs, linked);
                return;
            }
            Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            children(from, to, shown, false);
            Files.setLastModifiedTime(to, attrs.lastModifiedTime());
        }

        private void children(Path from, Path to, Path shown, boolean staging) throws IOException {
            for (Path child : TreeCopies.children(from)) {
                String name = child.getFileName().toString();
                entry(child, to.resolve(name), shown.resolve(name), staging);
            }
        }

        /** Deletes what an interrupted merge staged in {@code dir}; a merge into one cache holds its fill lock. */
        private static void dropLeftovers(Path dir) throws IOException {
            for (Path p : TreeCopies.children(dir)) {
                if (isStaging(p.getFileName().toString())) {
                    FileTrees.delete(p);
                }
            }
        }

        private static void deleteQuietly(Path p) {
            try {
                FileTrees.delete(p);
            } catch (IOException e) {
                // Left as a staging leftover: the next merge into this directory deletes it.
            }
        }
    }

    private static void special(PosixFiles posix, Path from, Path to, BasicFileAttributes attrs)
            throws IOException {
        Map<String, Object> unix = Files.readAttributes(from, "unix:mode,rdev,uid,gid", NOFOLLOW);
        int mode = (int) unix.get("mode");
        int type = mode & 0170000;
        if (type != PosixFiles.S_IFIFO && type != PosixFiles.S_IFCHR && type != PosixFiles.S_IFBLK) {
            return; // a socket
        }
        try {
            posix.mknod(to, mode, (long) unix.get("rdev"));
        } catch (LayerException e) {
            return; // a device where this process may not make one (rootless): left out, as a socket is
        }
        // Through PosixFiles, not java.nio: its attribute setters open the file, and opening a FIFO blocks.
        try {
            posix.lchown(to, (int) unix.get("uid"), (int) unix.get("gid"));
        } catch (LayerException e) {
            // Kept as made, as COPY_ATTRIBUTES keeps a copy whose owner it may not set.
        }
        posix.chmod(to, mode & 07777);
        java.time.Instant mtime = attrs.lastModifiedTime().toInstant();
        posix.setTimes(to, mtime.getEpochSecond(), mtime.getNano());
    }

    private static List<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(out::add);
        }
        return out;
    }
}
