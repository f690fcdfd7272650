package dev.wharf.layers.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The layout of Linux's {@code struct stat} on this machine, to decode what {@code fstatat(2)} writes into a byte
 * buffer: the one table of offsets for every native binding of wharf (layers' {@link JnrPosixFiles} and the context
 * module's directory walk). Immutable, thread-safe.
 */
public final class StructStat {
    /**
     * Offsets of dev, ino, nlink, mode, uid, gid, rdev, size, mtim, ctim, then the struct's size and the width of
     * nlink (8 bytes on x86_64, 4 on the generic layout of aarch64 and riscv64).
     */
    private final int[] o;

    private StructStat(int[] offsets) {
        this.o = offsets;
    }

    /** The layout of this machine, or null when it is not a little-endian one whose layout is known here. */
    public static StructStat current() {
        if (!ByteOrder.nativeOrder().equals(ByteOrder.LITTLE_ENDIAN)) {
            return null;
        }
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> new StructStat(new int[] {0, 8, 16, 24, 28, 32, 40, 48, 88, 104, 144, 8});
            case "aarch64", "riscv64" -> new StructStat(new int[] {0, 8, 20, 16, 24, 28, 32, 48, 88, 104, 128, 4});
            default -> null;
        };
    }

    /** The size of the struct: the buffer {@code fstatat} is given. */
    public int size() {
        return o[10];
    }

    /** The st_mode field of a filled buffer (little-endian). */
    public int mode(ByteBuffer b) {
        return b.getInt(o[3]);
    }

    /** Every field of a filled buffer (little-endian). */
    public PosixStat decode(ByteBuffer b) {
        int nlink = o[11] == 8 ? (int) b.getLong(o[2]) : b.getInt(o[2]);
        return new PosixStat(b.getLong(o[0]), b.getLong(o[1]), b.getInt(o[3]), nlink, b.getInt(o[4]),
                b.getInt(o[5]), b.getLong(o[6]), b.getLong(o[7]),
                b.getLong(o[8]), b.getLong(o[8] + 8), b.getLong(o[9]), b.getLong(o[9] + 8));
    }
}
