package dev.wharf.context.walk;

/** The kind of a file in a build context, from the type bits of its {@code st_mode}. */
public enum FileType {
    REGULAR, DIRECTORY, SYMLINK, FIFO, CHAR_DEVICE, BLOCK_DEVICE, SOCKET;

    /** The type encoded in a Unix {@code st_mode}. */
    public static FileType fromMode(int mode) {
        return switch (mode & 0170000) {
            case 0040000 -> DIRECTORY;
            case 0120000 -> SYMLINK;
            case 0010000 -> FIFO;
            case 0020000 -> CHAR_DEVICE;
            case 0060000 -> BLOCK_DEVICE;
            case 0140000 -> SOCKET;
            default -> REGULAR;
        };
    }
}
