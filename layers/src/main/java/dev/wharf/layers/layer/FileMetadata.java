package dev.wharf.layers.layer;

import dev.wharf.layers.tar.TarEntry;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * What a layer keeps of one file: its kind, permission bits, owner, size, modification time, symlink target, device
 * number, extended attributes, and the identity ({@code st_dev}, {@code st_ino}, {@code st_nlink}) used to find hard
 * links.
 *
 * <p>An immutable record, thread-safe; the xattr map is a sorted, unmodifiable copy and its arrays must not be
 * modified.
 *
 * @param kind the file type
 * @param mode permission bits with setuid, setgid and sticky ({@code 07777})
 * @param uid owner user ID
 * @param gid owner group ID
 * @param size content size of a regular file; 0 for other kinds
 * @param mtimeSeconds modification time, whole seconds since the epoch
 * @param mtimeNanos the sub-second part of the modification time
 * @param linkTarget a symlink's target; empty for other kinds
 * @param rdev the device number of a device node ({@code st_rdev}); 0 for other kinds
 * @param device the device the file is on ({@code st_dev})
 * @param inode the inode number ({@code st_ino})
 * @param linkCount the hard-link count ({@code st_nlink})
 * @param xattrs extended attributes by name
 */
public record FileMetadata(FileKind kind, int mode, long uid, long gid, long size, long mtimeSeconds, int mtimeNanos,
        String linkTarget, long rdev, long device, long inode, int linkCount, Map<String, byte[]> xattrs) {
    /** Validates and copies. */
    public FileMetadata {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(linkTarget, "linkTarget");
        if (size < 0 || uid < 0 || gid < 0) {
            throw new IllegalArgumentException("negative size, uid or gid");
        }
        if (kind != FileKind.REGULAR) {
            size = 0;
        }
        mode &= 07777;
        xattrs = TarEntry.copyOfXattrs(xattrs);
    }

    /** Returns whether this is an overlayfs whiteout: a character device with device number 0:0. */
    public boolean isOverlayWhiteout() {
        return kind == FileKind.CHAR_DEVICE && rdev == 0;
    }

    /** Returns a copy with other extended attributes. */
    public FileMetadata withXattrs(Map<String, byte[]> newXattrs) {
        return new FileMetadata(kind, mode, uid, gid, size, mtimeSeconds, mtimeNanos, linkTarget, rdev, device, inode,
                linkCount, newXattrs);
    }

    /** Compares xattr values by content (records compare arrays by identity). */
    boolean sameXattrs(FileMetadata other) {
        return xattrs.keySet().equals(other.xattrs.keySet()) && xattrs.entrySet().stream()
                .allMatch(e -> Arrays.equals(e.getValue(), other.xattrs.get(e.getKey())));
    }
}
