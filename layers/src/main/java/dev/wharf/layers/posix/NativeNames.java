package dev.wharf.layers.posix;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What both libc bindings ({@link JnrPosixFiles}, {@link JniPosixFiles}) share: the open flags of this architecture,
 * the xattr limits, and the decoding of the name lists the kernel returns. Stateless; thread-safe.
 */
final class NativeNames {
    /**
     * open flags O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC: the same numbers on x86_64, aarch64 and riscv64 (asm-generic).
     * O_NOFOLLOW (whose number differs) is not needed: with O_CREAT | O_EXCL the call fails on any existing name,
     * a symlink included, and never follows it.
     */
    static final int CREATE_FLAGS = 01 | 0100 | 0200 | 02000000;
    /**
     * open flags O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK of this architecture (O_NOFOLLOW is 0400000 on x86_64
     * and riscv64 (asm-generic), 0100000 on aarch64; O_NONBLOCK 04000 on all three), or -1 where it is not known
     * here. O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; it changes nothing for a
     * regular file, the only kind {@link #requireRegular} lets through.
     */
    static final int READ_FLAGS = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64", "riscv64" -> 0400000 | 02000000 | 04000;
        case "aarch64" -> 0100000 | 02000000 | 04000;
        default -> -1;
    };
    /**
     * open flags O_RDONLY | O_DIRECTORY | O_CLOEXEC of this architecture (O_DIRECTORY is 0200000 on x86_64 and
     * riscv64, 040000 on aarch64), or -1 where it is not known here.
     */
    static final int DIRECTORY_FLAGS = READ_FLAGS < 0 ? -1
            : 02000000 | ("aarch64".equals(System.getProperty("os.arch")) ? 040000 : 0200000);
    /** errno ERANGE (the same on every Linux architecture): a name list or value outgrew the buffer. */
    static final int ERANGE = 34;
    /** Linux limits one xattr value to 64 KiB and a name list to 64 KiB (XATTR_SIZE_MAX, XATTR_LIST_MAX). */
    static final int XATTR_MAX = 64 * 1024;
    /** struct stat's file type bits (the same on every Linux architecture). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFSOCK = 0140000;

    private NativeNames() {
    }

    /**
     * Checks, through its descriptor, that a file just opened by {@code openForReading} is a regular file, and
     * closes it and fails otherwise: a FIFO, a device or a socket swapped in at the path after the scan could block
     * the read, and the JNI read blocks holding a pinned Java array (a critical region the garbage collector waits
     * for).
     *
     * @throws LayerException naming the path and what it is
     * @throws UnsupportedOperationException when the binding cannot fstat (the file is closed; callers then read
     *                                       through java.nio)
     */
    static void requireRegular(ReadableFile file, Path path) throws dev.wharf.layers.LayerException {
        PosixStat stat;
        try {
            stat = file.stat();
        } catch (dev.wharf.layers.LayerException | UnsupportedOperationException e) {
            closeQuietly(file);
            throw e;
        }
        int type = stat.mode() & S_IFMT;
        if (type != S_IFREG) {
            closeQuietly(file);
            throw new dev.wharf.layers.LayerException("cannot read " + path + ": it is " + kind(type)
                    + ", not a regular file (it was one when the tree was scanned; reading it could block)");
        }
    }

    private static String kind(int type) {
        return switch (type) {
            case PosixFiles.S_IFIFO -> "a FIFO";
            case PosixFiles.S_IFCHR -> "a character device";
            case PosixFiles.S_IFBLK -> "a block device";
            case S_IFSOCK -> "a socket";
            case S_IFDIR -> "a directory";
            default -> String.format("of type %06o", type);
        };
    }

    private static void closeQuietly(ReadableFile file) {
        try {
            file.close();
        } catch (PosixCallException e) {
            // The descriptor is released by close even when it reports an error; the check's failure is what counts.
        }
    }

    /** The names of an {@code llistxattr} list (NUL-terminated UTF-8 names) in {@code buf[0, length)}. */
    static List<String> xattrNames(byte[] buf, int length) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (buf[i] == 0) {
                if (i > start) {
                    names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return List.copyOf(names);
    }

    /**
     * The names of one directory's {@code getdents64} records, decoded as java.nio decodes file names; a name that
     * does not survive decoding and encoding again is refused (unsupported), see {@link PosixFiles#listDirectory}.
     * Not thread-safe: one listing.
     */
    static final class DirectoryNames implements DirectoryRecords.NameSink {
        final List<String> names = new ArrayList<>();
        private final Path dir;
        private final Charset charset;

        DirectoryNames(Path dir, Charset charset) {
            this.dir = dir;
            this.charset = charset;
        }

        @Override
        public void name(byte[] bytes, int start, int end) {
            boolean ascii = true;
            for (int i = start; i < end && ascii; i++) {
                ascii = bytes[i] >= 0;
            }
            String name = new String(bytes, start, end - start, ascii ? StandardCharsets.ISO_8859_1 : charset);
            byte[] encoded = ascii ? null : name.getBytes(charset);
            if (!ascii && !Arrays.equals(encoded, 0, encoded.length, bytes, start, end)) {
                throw new UnsupportedOperationException("listDirectory: a name in " + dir + " is not valid in "
                        + charset);
            }
            names.add(name);
        }
    }
}
