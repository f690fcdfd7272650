package dev.wharf.layers.posix;

/**
 * Splits and joins Linux device numbers ({@code dev_t}) the way glibc's {@code major}, {@code minor} and
 * {@code makedev} macros do (sys/sysmacros.h): 12 bits of major and 20 bits of minor in the low 32 bits, the rest
 * of each above. Stateless and thread-safe.
 */
public final class DeviceNumbers {
    private DeviceNumbers() {
    }

    /** Returns the major number of {@code rdev}. */
    public static long major(long rdev) {
        return ((rdev >>> 32) & 0xffff_f000L) | ((rdev >>> 8) & 0x0000_0fffL);
    }

    /** Returns the minor number of {@code rdev}. */
    public static long minor(long rdev) {
        return ((rdev >>> 12) & 0xffff_ff00L) | (rdev & 0x0000_00ffL);
    }

    /** Joins a major and a minor number into a {@code dev_t}. */
    public static long makedev(long major, long minor) {
        return ((major & 0xffff_f000L) << 32) | ((major & 0x0000_0fffL) << 8)
                | ((minor & 0xffff_ff00L) << 12) | (minor & 0x0000_00ffL);
    }
}
