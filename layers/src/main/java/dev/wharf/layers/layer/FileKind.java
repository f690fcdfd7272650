package dev.wharf.layers.layer;

/**
 * The type of a file as {@code lstat} reports it. Immutable and thread-safe.
 */
public enum FileKind {
    /** A regular file. */
    REGULAR,
    /** A directory. */
    DIRECTORY,
    /** A symbolic link (never followed). */
    SYMLINK,
    /** A character device. */
    CHAR_DEVICE,
    /** A block device. */
    BLOCK_DEVICE,
    /** A named pipe. */
    FIFO,
    /** A Unix socket; layers leave sockets out, as Docker and containerd do. */
    SOCKET;

    /** Returns the kind encoded in the type bits of an {@code st_mode}. */
    static FileKind ofMode(int stMode) {
        return switch (stMode & 0170000) {
            case 0100000 -> REGULAR;
            case 0040000 -> DIRECTORY;
            case 0120000 -> SYMLINK;
            case 0020000 -> CHAR_DEVICE;
            case 0060000 -> BLOCK_DEVICE;
            case 0010000 -> FIFO;
            case 0140000 -> SOCKET;
            default -> throw new IllegalArgumentException("unknown file type in mode " + Integer.toOctalString(stMode));
        };
    }
}
