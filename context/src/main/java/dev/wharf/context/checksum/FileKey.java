package dev.wharf.context.checksum;

import dev.wharf.context.walk.FileStat;

/**
 * What identifies an unchanged file or directory for the checksum cache: device, inode, size, mtime and ctime in
 * nanoseconds, and whether owners were reset (which changes the header, not the file). Any write, chmod, chown or
 * xattr change moves ctime, so a hit means the header and content are what was hashed before. Immutable.
 */
record FileKey(long device, long inode, long size, long mtimeNanos, long ctimeNanos, boolean resetOwner) {

    /** The device of {@link #directory} keys: no file system's (st_dev values are small major/minor encodings). */
    static final long DIRECTORY_DEVICE = -1L;

    /**
     * The key of a directory's Merkle digest: the 128-bit fingerprint of everything lstat says about its subtree
     * (a native scan's, see {@code ContextSnapshot#fingerprint}), in a key no file's can equal, so the same
     * persisted table, journal and bound hold file and directory digests.
     */
    static FileKey directory(long fingerprint0, long fingerprint1, boolean resetOwner) {
        return new FileKey(DIRECTORY_DEVICE, fingerprint0, fingerprint1, 0, 0, resetOwner);
    }

    static FileKey of(FileStat s, boolean resetOwner) {
        return new FileKey(s.device(), s.inode(), s.size(), s.mtimeNanos(), s.ctimeNanos(), resetOwner);
    }

    // Written out: a record's generated equals and hashCode go through method handles, which a fresh process runs
    // slowly for the first hundred thousand lookups of a cache load.
    @Override
    public boolean equals(Object o) {
        return o instanceof FileKey k && inode == k.inode && device == k.device && size == k.size
                && mtimeNanos == k.mtimeNanos && ctimeNanos == k.ctimeNanos && resetOwner == k.resetOwner;
    }

    @Override
    public int hashCode() {
        long h = inode * 0x9E3779B97F4A7C15L + device;
        h = h * 31 + size;
        h = h * 31 + mtimeNanos;
        h = h * 31 + ctimeNanos;
        return (int) (h ^ (h >>> 32)) ^ (resetOwner ? 1 : 0);
    }
}
