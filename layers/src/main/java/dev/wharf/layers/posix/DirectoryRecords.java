package dev.wharf.layers.posix;

/**
 * Reads the records {@code getdents64} fills a buffer with ({@code struct linux_dirent64}: {@code d_ino} (8 bytes),
 * {@code d_off} (8), {@code d_reclen} (2, little-endian on the platforms wharf binds), {@code d_type} (1), then the
 * NUL-terminated name, the record padded to 8 bytes). Shared by {@link PosixFiles#listDirectory} and the context
 * walker's native lister, which keeps names as bytes. Stateless.
 */
public final class DirectoryRecords {
    private DirectoryRecords() {
    }

    /** Receives the entries' names; one per listing. */
    @FunctionalInterface
    public interface NameSink {
        /** One name: {@code records[start, end)}, where {@code records[end]} is its NUL. */
        void name(byte[] records, int start, int end);
    }

    /** Calls {@code sink} for every entry of {@code records[0, length)} but {@code .} and {@code ..}, in order. */
    public static void forEachName(byte[] records, int length, NameSink sink) {
        for (int at = 0; at < length; ) {
            int reclen = (records[at + 16] & 0xff) | (records[at + 17] & 0xff) << 8;
            int start = at + 19;
            // The record is the name and its NUL rounded up to 8 bytes, so the NUL is in its last 8 bytes (names
            // hold no NUL): look there, not at every byte of the name.
            int end = Math.max(start, at + reclen - 8);
            while (records[end] != 0) {
                end++;
            }
            at += reclen;
            int nameLength = end - start;
            if (nameLength == 1 && records[start] == '.'
                    || nameLength == 2 && records[start] == '.' && records[start + 1] == '.') {
                continue;
            }
            sink.name(records, start, end);
        }
    }
}
