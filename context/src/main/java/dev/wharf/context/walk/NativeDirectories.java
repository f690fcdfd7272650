package dev.wharf.context.walk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * Lists a directory and lstats its entries with the fewest system calls and objects: one {@code open}, a
 * {@code getdents64} per 32 KiB of entries, one {@code fstatat} per entry relative to the directory's descriptor (the
 * kernel looks up one name, not the whole path), names kept as bytes until sorted. java.nio instead makes a
 * {@code Path} per entry and stats it by its full path. Thread-safe: buffers are taken from a pool per call.
 * {@link #load} returns null where the binding or the platform's {@code struct stat} layout is unknown.
 */
final class NativeDirectories {

    /** The libc functions used (glibc 2.30+ has getdents64). */
    public interface LibC {
        int open(@In byte[] path, int flags);

        long getdents64(int fd, Pointer buf, long count);

        int fstatat(int dirfd, @In byte[] name, @Out byte[] statbuf, int flags);

        long readlinkat(int dirfd, @In byte[] name, @Out byte[] buf, long size);

        int close(int fd);

        String strerror(int errnum);
    }

    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int O_CLOEXEC = 0x80000;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int BUFFER = 32 * 1024;
    private static final int LINK_MAX = 4096;

    private final LibC libc;
    private final Runtime runtime;
    private final Charset charset;
    /** O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC for this architecture. */
    private final int openFlags;
    /** Offsets in struct stat, as in wharf-layers' JnrPosixFiles: dev, ino, nlink, mode, uid, gid, rdev, size, mtim, ctim, size of it, nlink width. */
    private final int[] layout;
    private final ConcurrentLinkedQueue<Pointer> buffers = new ConcurrentLinkedQueue<>();

    private NativeDirectories(LibC libc, Charset charset, int openFlags, int[] layout) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.charset = charset;
        this.openFlags = openFlags;
        this.layout = layout;
    }

    /** A binding for this walk, or null when this platform is not one whose constants are known here. */
    static NativeDirectories load() {
        if (!ByteOrder.nativeOrder().equals(ByteOrder.LITTLE_ENDIAN) || !"Linux".equals(System.getProperty("os.name"))) {
            return null;
        }
        int[] layout;
        int directory;
        int noFollow;
        switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> {
                layout = new int[] {0, 8, 16, 24, 28, 32, 40, 48, 88, 104, 144, 8};
                directory = 0x10000;
                noFollow = 0x20000;
            }
            case "aarch64" -> {
                layout = new int[] {0, 8, 20, 16, 24, 28, 32, 48, 88, 104, 128, 4};
                directory = 0x4000;
                noFollow = 0x8000;
            }
            case "riscv64" -> {
                layout = new int[] {0, 8, 20, 16, 24, 28, 32, 48, 88, 104, 128, 4};
                directory = 0x10000;
                noFollow = 0x20000;
            }
            default -> {
                return null;
            }
        }
        try {
            String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
            Charset charset = Charset.isSupported(encoding) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
            return new NativeDirectories(Binding.LIBC, charset, directory | noFollow | O_CLOEXEC, layout);
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Loaded once per JVM: jnr-ffi generates a class per load. */
    private static final class Binding {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

        private Binding() {
        }
    }

    /**
     * One directory's entries in byte order of their names, each with its FileStat or the IOException of its lstat;
     * a name is set only where the lstat failed (the FileStat's path ends with it otherwise).
     */
    record Listing(String[] names, Object[] stats) {
    }

    /**
     * Lists {@code dir} (absolute, its path relative to the context root {@code rel} with a trailing slash unless
     * empty) and lstats every entry.
     *
     * @throws NoSuchFileException when the directory is gone, {@link AccessDeniedException} when it cannot be read
     */
    Listing list(String dir, String rel) throws IOException {
        int fd = libc.open(cString(dir), openFlags);
        if (fd < 0) {
            throw failure(dir, runtime.getLastError());
        }
        try {
            byte[][] names = readNames(fd, dir);
            Arrays.sort(names, Arrays::compareUnsigned); // Go's os.ReadDir order
            String[] out = new String[names.length];
            Object[] stats = new Object[names.length];
            byte[] buf = new byte[layout[10]];
            ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
            byte[] relBytes = rel.getBytes(charset);
            for (int i = 0; i < names.length; i++) {
                byte[] name = names[i];
                // One decode of the whole relative path; the name alone is made only when an error needs it.
                byte[] pathBytes = Arrays.copyOf(relBytes, relBytes.length + name.length - 1);
                System.arraycopy(name, 0, pathBytes, relBytes.length, name.length - 1);
                String path = new String(pathBytes, charset);
                if (libc.fstatat(fd, name, buf, AT_SYMLINK_NOFOLLOW) != 0) {
                    String s = new String(name, 0, name.length - 1, charset);
                    out[i] = s;
                    stats[i] = failure(dir + "/" + s, runtime.getLastError());
                    continue;
                }
                int mode = b.getInt(layout[3]);
                String target = "";
                if (FileType.fromMode(mode) == FileType.SYMLINK) {
                    byte[] link = new byte[LINK_MAX];
                    long n = libc.readlinkat(fd, name, link, link.length);
                    if (n < 0) {
                        String s = new String(name, 0, name.length - 1, charset);
                        out[i] = s;
                        stats[i] = failure(dir + "/" + s, runtime.getLastError());
                        continue;
                    }
                    target = new String(link, 0, (int) n, charset);
                }
                int nlink = layout[11] == 8 ? (int) b.getLong(layout[2]) : b.getInt(layout[2]);
                stats[i] = new FileStat(path, mode, b.getInt(layout[4]), b.getInt(layout[5]), b.getLong(layout[7]),
                        nanos(b.getLong(layout[8]), b.getLong(layout[8] + 8)),
                        nanos(b.getLong(layout[9]), b.getLong(layout[9] + 8)), b.getLong(layout[1]),
                        b.getLong(layout[0]), b.getLong(layout[6]), nlink, target);
            }
            return new Listing(out, stats);
        } finally {
            libc.close(fd);
        }
    }

    /** The NUL-terminated names of the open directory {@code fd}, without "." and "..". */
    private byte[][] readNames(int fd, String dir) throws IOException {
        Pointer buf = buffers.poll();
        if (buf == null) {
            buf = Memory.allocateDirect(runtime, BUFFER);
        }
        try {
            byte[] chunk = new byte[BUFFER];
            byte[][] names = new byte[64][];
            int count = 0;
            while (true) {
                long n = libc.getdents64(fd, buf, BUFFER);
                if (n < 0) {
                    throw failure(dir, runtime.getLastError());
                }
                if (n == 0) {
                    break;
                }
                buf.get(0, chunk, 0, (int) n);
                for (int at = 0; at < n; ) {
                    int reclen = (chunk[at + 16] & 0xff) | (chunk[at + 17] & 0xff) << 8;
                    int start = at + 19;
                    int end = start;
                    while (chunk[end] != 0) {
                        end++;
                    }
                    at += reclen;
                    int len = end - start;
                    if (len == 1 && chunk[start] == '.' || len == 2 && chunk[start] == '.' && chunk[start + 1] == '.') {
                        continue;
                    }
                    if (count == names.length) {
                        names = Arrays.copyOf(names, count * 2);
                    }
                    names[count++] = Arrays.copyOfRange(chunk, start, end + 1);
                }
            }
            return Arrays.copyOf(names, count);
        } finally {
            buffers.add(buf);
        }
    }

    private IOException failure(String file, int errno) {
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(file);
            case EACCES -> new AccessDeniedException(file);
            case ENOTDIR -> new NotDirectoryException(file);
            default -> new FileSystemException(file, null, reason(errno));
        };
    }

    private String reason(int errno) {
        try {
            return libc.strerror(errno);
        } catch (RuntimeException e) {
            return "errno " + errno;
        }
    }

    private byte[] cString(String s) {
        byte[] bytes = s.getBytes(charset);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    /** Nanoseconds since the epoch, saturated as FileTime.to(NANOSECONDS) does. */
    private static long nanos(long seconds, long nsec) {
        try {
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nsec);
        } catch (ArithmeticException e) {
            return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
