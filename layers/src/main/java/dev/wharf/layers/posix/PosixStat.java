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
 * @param mtimeSeconds {@code st_mtim.tv_sec}
 * @param mtimeNsec {@code st_mtim.tv_nsec}, 0..999,999,999
 * @param ctimeSeconds {@code st_ctim.tv_sec}
 * @param ctimeNsec {@code st_ctim.tv_nsec}
 */
public record PosixStat(long device, long inode, int mode, int nlink, int uid, int gid, long rdev, long size,
                        long mtimeSeconds, long mtimeNsec, long ctimeSeconds, long ctimeNsec) {

    /** The modification time in nanoseconds since the epoch, saturated as {@code FileTime.to(NANOSECONDS)} does. */
    public long mtimeNanos() {
        return nanos(mtimeSeconds, mtimeNsec);
    }

    /** The status change time in nanoseconds since the epoch, saturated like {@link #mtimeNanos()}. */
    public long ctimeNanos() {
        return nanos(ctimeSeconds, ctimeNsec);
    }

    private static long nanos(long seconds, long nsec) {
        try {
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nsec);
        } catch (ArithmeticException e) {
            return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
