package dev.wharf.context.walk;

import dev.wharf.layers.layout.NativeImage;
import dev.wharf.layers.posix.DirectoryRecords;
import dev.wharf.layers.posix.PosixStat;
import dev.wharf.layers.posix.StructStat;
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
 * kernel looks up one name, not the whole path), names kept as bytes until sorted (the records are read by layers'
 * {@link DirectoryRecords}, as {@code PosixFiles.listDirectory} reads them). java.nio instead makes a
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
    private final StructStat layout;
    private final ConcurrentLinkedQueue<Pointer> buffers = new ConcurrentLinkedQueue<>();

    private NativeDirectories(LibC libc, Charset charset, int openFlags, StructStat layout) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.charset = charset;
        this.openFlags = openFlags;
        this.layout = layout;
    }

    /** A binding for this walk, or null when this platform is not one whose constants are known here. */
    static NativeDirectories load() {
        StructStat layout = StructStat.current(); // null unless little-endian with a known layout
        // In a GraalVM native image (cli's -Pnative) jnr-ffi cannot generate its binding class at run time: java.nio.
        if (layout == null || !"Linux".equals(System.getProperty("os.name"))
                || NativeImage.isRuntime()) {
            return null;
        }
        int directory;
        int noFollow;
        switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64", "riscv64" -> {
                directory = 0x10000;
                noFollow = 0x20000;
            }
            case "aarch64" -> {
                directory = 0x4000;
                noFollow = 0x8000;
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
            byte[] buf = new byte[layout.size()];
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
                int mode = layout.mode(b);
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
                PosixStat st = layout.decode(b);
                stats[i] = new FileStat(path, mode, st.uid(), st.gid(), st.size(), st.mtimeNanos(), st.ctimeNanos(),
                        st.inode(), st.device(), st.rdev(), st.nlink(), target);
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
            Names names = new Names();
            while (true) {
                long n = libc.getdents64(fd, buf, BUFFER);
                if (n < 0) {
                    throw failure(dir, runtime.getLastError());
                }
                if (n == 0) {
                    break;
                }
                buf.get(0, chunk, 0, (int) n);
                DirectoryRecords.forEachName(chunk, (int) n, names);
            }
            return Arrays.copyOf(names.names, names.count);
        } finally {
            buffers.add(buf);
        }
    }

    /** The names of one listing, each with its NUL (the C string fstatat takes). */
    private static final class Names implements DirectoryRecords.NameSink {
        byte[][] names = new byte[64][];
        int count;

        @Override
        public void name(byte[] records, int start, int end) {
            if (count == names.length) {
                names = Arrays.copyOf(names, count * 2);
            }
            names[count++] = Arrays.copyOfRange(records, start, end + 1);
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
}
