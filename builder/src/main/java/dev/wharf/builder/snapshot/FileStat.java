package dev.wharf.builder.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The metadata of one file, read without following symlinks, as compared by the differs. Immutable.
 *
 * @param mode  the full {@code st_mode} (type and permission bits)
 * @param rdev  the device number of a device node (0:0 marks an overlay whiteout)
 */
record FileStat(int mode, int uid, int gid, long size, FileTime mtime, long rdev, String linkTarget) {
    private static final int TYPE_MASK = 0170000;
    private static final int CHAR_DEVICE = 0020000;
    private static final int DIRECTORY = 0040000;
    private static final int REGULAR = 0100000;

    static Optional<FileStat> read(Path path) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:mode,uid,gid,size,lastModifiedTime,rdev", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String target = Files.isSymbolicLink(path) ? Files.readSymbolicLink(path).toString() : null;
        return Optional.of(new FileStat((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"), (Long) a.get("rdev"), target));
    }

    boolean isDirectory() {
        return (mode & TYPE_MASK) == DIRECTORY;
    }

    boolean isRegular() {
        return (mode & TYPE_MASK) == REGULAR;
    }

    /** An overlayfs whiteout: a character device with device number 0:0. */
    boolean isWhiteout() {
        return (mode & TYPE_MASK) == CHAR_DEVICE && rdev == 0;
    }

    /**
     * True when the metadata says the file is unchanged. Like continuity's {@code fs.Changes} (sameFile), regular
     * files whose modification time has no sub-second part are compared by content too, because some filesystems
     * and copies truncate timestamps and a same-second rewrite would otherwise go unnoticed.
     */
    boolean sameAs(FileStat other, Path self, Path otherPath) throws IOException {
        boolean meta = mode == other.mode && uid == other.uid && gid == other.gid && rdev == other.rdev
                && java.util.Objects.equals(linkTarget, other.linkTarget)
                && (isDirectory() || size == other.size) && mtime.equals(other.mtime);
        if (!meta || !isRegular()) {
            return meta;
        }
        if (mtime.toInstant().getNano() != 0) {
            return true;
        }
        return sameContent(self, otherPath);
    }

    private static boolean sameContent(Path a, Path b) throws IOException {
        try (InputStream x = Files.newInputStream(a); InputStream y = Files.newInputStream(b)) {
            byte[] bx = new byte[65536];
            byte[] by = new byte[65536];
            while (true) {
                int nx = x.readNBytes(bx, 0, bx.length);
                int ny = y.readNBytes(by, 0, by.length);
                if (nx != ny || !Arrays.equals(bx, 0, nx, by, 0, ny)) {
                    return false;
                }
                if (nx == 0) {
                    return true;
                }
            }
        }
    }
}
