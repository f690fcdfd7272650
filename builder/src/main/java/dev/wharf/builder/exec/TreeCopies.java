package dev.wharf.builder.exec;

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
import java.util.function.Predicate;

/**
 * Copies of a stage's files for RUN mounts that show what BuildKit's snapshot of the stage shows: files that are
 * hard links of each other stay links of each other in the copy (same inode, the link count of the stage), where a
 * copy per path made every link a file of its own, and directories keep their modification times after their
 * entries are copied in. Owners, modes and times come along. FIFOs, sockets and devices are left out: copying one
 * would open it (and a FIFO blocks), and a RUN reads none of them from a mount.
 *
 * <p>Stateless and thread-safe; the trees must not change while they are copied.
 */
final class TreeCopies {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private TreeCopies() {
    }

    /** Copies {@code from} (a directory, file or symlink) to {@code to}, which must not exist. */
    static void copy(Path from, Path to) throws IOException {
        merge(from, to, p -> false);
    }

    /**
     * Copies {@code from} into {@code to}, adding only what {@code to} lacks: an entry that exists there stays as it
     * is (a directory on both sides is entered), and a path of {@code to} that {@code keep} accepts is not entered
     * at all.
     */
    static void merge(Path from, Path to, Predicate<Path> keep) throws IOException {
        copyEntry(from, to, keep, new HashMap<>());
    }

    private static void copyEntry(Path from, Path to, Predicate<Path> keep, Map<Object, Path> linked)
            throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            // A cancelled build stops here instead of copying the rest of a large stage first; the flag stays set.
            throw new InterruptedIOException("cancelled while copying " + from + " for a RUN mount");
        }
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
                copyEntry(child, to.resolve(child.getFileName().toString()), keep, linked);
            }
            if (!present) {
                Files.setLastModifiedTime(to, attrs.lastModifiedTime());
            }
            return;
        }
        if (present || attrs.isOther()) {
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

    private static List<Path> children(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(out::add);
        }
        return out;
    }
}
