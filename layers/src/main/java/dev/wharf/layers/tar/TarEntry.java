package dev.wharf.layers.tar;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One tar entry's header: name, type, permissions, owner, size, modification time, link target, device numbers and
 * extended attributes.
 *
 * <p>An immutable record, thread-safe; the xattr map is a sorted, unmodifiable copy (the byte arrays are copied on
 * the way in, and callers must not modify the arrays they get out). Names are as stored in the archive: the writer
 * adds the trailing {@code /} of directories, and the reader reports names unchanged (possibly hostile).
 *
 * @param name the path inside the archive, {@code /}-separated
 * @param type the entry type
 * @param mode permission bits including setuid, setgid and sticky ({@code 07777})
 * @param uid owner user ID
 * @param gid owner group ID
 * @param size content size (regular files only; 0 otherwise)
 * @param mtime modification time in whole seconds since the epoch
 * @param linkName the symlink target or the hard-link target's name; empty otherwise
 * @param devMajor device major number (devices only)
 * @param devMinor device minor number (devices only)
 * @param xattrs extended attributes by name ({@code SCHILY.xattr.*} PAX records)
 */
public record TarEntry(String name, TarEntryType type, int mode, long uid, long gid, long size, long mtime,
        String linkName, long devMajor, long devMinor, Map<String, byte[]> xattrs) {
    /** Validates and copies. */
    public TarEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(linkName, "linkName");
        if (uid < 0 || gid < 0 || size < 0 || devMajor < 0 || devMinor < 0) {
            throw new IllegalArgumentException("negative number in tar entry " + name);
        }
        if (size != 0 && type != TarEntryType.REGULAR) {
            throw new IllegalArgumentException("only regular files have content: " + name);
        }
        xattrs = copyOfXattrs(xattrs);
        mode &= 07777;
    }

    /**
     * Returns a sorted, unmodifiable copy of {@code xattrs} with copied values; {@code Map.of()} when empty, nearly
     * every file's case (one per entry of every layer written or applied: no map to build).
     */
    public static Map<String, byte[]> copyOfXattrs(Map<String, byte[]> xattrs) {
        if (xattrs.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, byte[]> copy = new TreeMap<>();
        xattrs.forEach((k, v) -> copy.put(Objects.requireNonNull(k), v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /** Returns a copy with another name. */
    public TarEntry withName(String newName) {
        return new TarEntry(newName, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor, xattrs);
    }

    /** Returns whether both entries have equal fields, comparing xattr values by content. */
    public boolean sameAs(TarEntry other) {
        if (!name.equals(other.name) || type != other.type || mode != other.mode || uid != other.uid
                || gid != other.gid || size != other.size || mtime != other.mtime || !linkName.equals(other.linkName)
                || devMajor != other.devMajor || devMinor != other.devMinor
                || !xattrs.keySet().equals(other.xattrs.keySet())) {
            return false;
        }
        return xattrs.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), other.xattrs.get(e.getKey())));
    }
}
