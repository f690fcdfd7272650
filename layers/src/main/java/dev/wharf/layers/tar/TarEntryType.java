package dev.wharf.layers.tar;

/**
 * The kinds of tar entry a layer can hold, with their ustar type flags. Immutable and thread-safe.
 */
public enum TarEntryType {
    /** A regular file ({@code '0'}). */
    REGULAR('0'),
    /** A hard link to an earlier entry ({@code '1'}). */
    HARDLINK('1'),
    /** A symbolic link ({@code '2'}). */
    SYMLINK('2'),
    /** A character device ({@code '3'}). */
    CHAR_DEVICE('3'),
    /** A block device ({@code '4'}). */
    BLOCK_DEVICE('4'),
    /** A directory ({@code '5'}). */
    DIRECTORY('5'),
    /** A named pipe ({@code '6'}). */
    FIFO('6');

    private final char flag;

    TarEntryType(char flag) {
        this.flag = flag;
    }

    /** Returns the ustar type flag. */
    public char flag() {
        return flag;
    }
}
