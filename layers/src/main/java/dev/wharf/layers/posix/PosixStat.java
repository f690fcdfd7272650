package dev.wharf.layers.posix;

/**
 * What {@code lstat} says about a path: the fields of {@code struct stat} that wharf uses. An immutable record.
 *
 * @param device {@code st_dev}
 * @param inode {@code st_ino}
 * @param mode {@code st_mode}, file type bits included
 * @param nlink {@code st_nlink}
 * @param uid {@code st_uid}
 * @param gid {@code st_gid}
 * @param rdev {@code st_rdev}, the device a device node stands for
 * @param size {@code st_size}
 * @param mtimeNanos {@code st_mtim} in nanoseconds since the epoch
 * @param ctimeNanos {@code st_ctim} in nanoseconds since the epoch
 */
public record PosixStat(long device, long inode, int mode, int nlink, int uid, int gid, long rdev, long size,
                        long mtimeNanos, long ctimeNanos) {
}
