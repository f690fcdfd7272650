package dev.wharf.context.checksum;

import dev.wharf.context.walk.FileStat;

/**
 * What identifies an unchanged file for the checksum cache: device, inode, size, mtime and ctime in nanoseconds,
 * and whether owners were reset (which changes the header, not the file). Any write, chmod, chown or xattr change
 * moves ctime, so a hit means the header and content are what was hashed before. Immutable.
 */
record FileKey(long device, long inode, long size, long mtimeNanos, long ctimeNanos, boolean resetOwner) {

    static FileKey of(FileStat s, boolean resetOwner) {
        return new FileKey(s.device(), s.inode(), s.size(), s.mtimeNanos(), s.ctimeNanos(), resetOwner);
    }
}
