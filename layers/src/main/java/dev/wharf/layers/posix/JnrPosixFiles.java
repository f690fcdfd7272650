package dev.wharf.layers.posix;

import dev.wharf.layers.LayerException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * {@link PosixFiles} over the host's libc through jnr-ffi. Immutable and thread-safe (errno is saved per thread by
 * jnr-ffi).
 */
final class JnrPosixFiles implements PosixFiles {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int ERANGE = 34;
    private static final int EINTR = 4;
    /**
     * open flags O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC: the same numbers on x86_64, aarch64 and riscv64 (asm-generic).
     * O_NOFOLLOW (whose number differs) is not needed: with O_CREAT | O_EXCL the call fails on any existing name,
     * a symlink included, and never follows it.
     */
    private static final int CREATE_FLAGS = 01 | 0100 | 0200 | 02000000;
    /** Bytes handed to one write call; the copy into it is the one java.nio's FileChannel makes too. */
    private static final int WRITE_CHUNK = 256 * 1024;
    /** Linux limits one xattr value to 64 KiB and a name list to 64 KiB (XATTR_SIZE_MAX, XATTR_LIST_MAX). */
    private static final int XATTR_MAX = 64 * 1024;

    /** The libc functions used; names and signatures as in glibc 2.28+. */
    public interface LibC {
        long llistxattr(@In byte[] path, @Out byte[] list, long size);

        long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

        int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

        int mknod(@In byte[] path, int mode, long dev);

        int lchown(@In byte[] path, int uid, int gid);

        int symlink(@In byte[] target, @In byte[] linkpath);

        int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

        int fstatat(int dirfd, @In byte[] path, @Out byte[] statbuf, int flags);

        int geteuid();

        int open(@In byte[] path, int flags, int mode);

        long write(int fd, @In ByteBuffer buf, long count);

        int fchown(int fd, int uid, int gid);

        int fchmod(int fd, int mode);

        int futimens(int fd, @In long[] times);

        int close(int fd);

        String strerror(int errnum);
    }

    private final LibC libc;
    private final Runtime runtime;
    // Java encodes file names with sun.jnu.encoding; native calls must see the same bytes.
    private final Charset pathCharset;

    private JnrPosixFiles(LibC libc, Charset pathCharset) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.pathCharset = pathCharset;
    }

    /**
     * The libc binding, loaded once per JVM on first use: jnr-ffi generates and loads a class for every load, a
     * tenth of a short command's start-up, and the binding is stateless and thread-safe, so every
     * {@code JnrPosixFiles} shares it. A failed load fails every later use the same way (as a LinkageError).
     */
    private static final class Binding {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

        private Binding() {
        }
    }

    static JnrPosixFiles load() throws LayerException {
        try {
            LibC libc = Binding.LIBC;
            String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
            Charset charset = Charset.isSupported(encoding) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
            return new JnrPosixFiles(libc, charset);
        } catch (LinkageError | RuntimeException e) {
            throw new LayerException("cannot load libc through jnr-ffi (needed for xattrs, devices and owners): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<String> listXattrs(Path path) throws LayerException {
        byte[] p = cString(path.toString(), pathCharset);
        // Ask for the size first: most files have no xattrs, and jnr-ffi copies whole buffers across the boundary.
        for (int attempt = 0; attempt < 3; attempt++) {
            long size = libc.llistxattr(p, null, 0);
            if (size < 0) {
                int errno = errno();
                if (errno == PosixCallException.ENOTSUP) {
                    return List.of();
                }
                throw failure("llistxattr", path, errno);
            }
            if (size == 0) {
                return List.of();
            }
            byte[] buf = new byte[(int) Math.min(size, XATTR_MAX)];
            long n = libc.llistxattr(p, buf, buf.length);
            if (n < 0) {
                int errno = errno();
                if (errno == ERANGE) {
                    continue; // The list grew between the two calls.
                }
                throw failure("llistxattr", path, errno);
            }
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == 0) {
                    if (i > start) {
                        names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            return List.copyOf(names);
        }
        throw failure("llistxattr", path, ERANGE);
    }

    @Override
    public Optional<byte[]> getXattr(Path path, String name) throws LayerException {
        byte[] p = cString(path.toString(), pathCharset);
        byte[] n = cString(name, StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 3; attempt++) {
            long size = libc.lgetxattr(p, n, null, 0);
            if (size < 0) {
                int errno = errno();
                if (errno == PosixCallException.ENODATA || errno == PosixCallException.ENOTSUP) {
                    return Optional.empty();
                }
                throw failure("lgetxattr " + name, path, errno);
            }
            if (size == 0) {
                return Optional.of(new byte[0]);
            }
            byte[] buf = new byte[(int) Math.min(size, XATTR_MAX)];
            long got = libc.lgetxattr(p, n, buf, buf.length);
            if (got < 0) {
                int errno = errno();
                if (errno == ERANGE) {
                    continue; // The value grew between the two calls.
                }
                if (errno == PosixCallException.ENODATA) {
                    return Optional.empty();
                }
                throw failure("lgetxattr " + name, path, errno);
            }
            return Optional.of(Arrays.copyOf(buf, (int) got));
        }
        throw failure("lgetxattr " + name, path, ERANGE);
    }

    @Override
    public void setXattr(Path path, String name, byte[] value) throws LayerException {
        byte[] p = cString(path.toString(), pathCharset);
        if (libc.lsetxattr(p, cString(name, StandardCharsets.UTF_8), value, value.length, 0) != 0) {
            throw failure("lsetxattr " + name, path, errno());
        }
    }

    @Override
    public void mknod(Path path, int mode, long device) throws LayerException {
        if (libc.mknod(cString(path.toString(), pathCharset), mode, device) != 0) {
            throw failure("mknod", path, errno());
        }
    }

    @Override
    public void symlink(String target, Path link) throws LayerException {
        if (libc.symlink(cString(target, pathCharset), cString(link.toString(), pathCharset)) != 0) {
            throw failure("symlink", link, errno());
        }
    }

    @Override
    public void lchown(Path path, int uid, int gid) throws LayerException {
        if (libc.lchown(cString(path.toString(), pathCharset), uid, gid) != 0) {
            throw failure("lchown", path, errno());
        }
    }

    @Override
    public void setTimes(Path path, long epochSeconds, int nanos) throws LayerException {
        long[] times = {epochSeconds, nanos, epochSeconds, nanos};
        if (libc.utimensat(AT_FDCWD, cString(path.toString(), pathCharset), times, AT_SYMLINK_NOFOLLOW) != 0) {
            throw failure("utimensat", path, errno());
        }
    }

    /** Null on machines whose struct stat layout (and open flags) wharf does not know: lstat unsupported. */
    private static final StructStat STAT = StructStat.current();

    @Override
    public PosixStat lstat(Path path) throws LayerException {
        if (STAT == null) {
            throw new UnsupportedOperationException("lstat: struct stat layout unknown on "
                    + System.getProperty("os.arch"));
        }
        byte[] buf = new byte[STAT.size()];
        if (libc.fstatat(AT_FDCWD, cString(path.toString(), pathCharset), buf, AT_SYMLINK_NOFOLLOW) != 0) {
            throw failure("lstat", path, errno());
        }
        return STAT.decode(ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public NewFile createFile(Path path, int mode) throws LayerException {
        if (STAT == null) {
            throw new UnsupportedOperationException("createFile: open flags unknown on " + System.getProperty("os.arch"));
        }
        int fd = libc.open(cString(path.toString(), pathCharset), CREATE_FLAGS, mode & 07777);
        if (fd < 0) {
            throw failure("open", path, errno());
        }
        return new JnrNewFile(fd, path);
    }

    /** An open descriptor of a created file; its write buffer is native memory, allocated on the first write. */
    private final class JnrNewFile implements NewFile {
        private final int fd;
        private final Path path;
        private ByteBuffer buffer;
        private boolean closed;

        JnrNewFile(int fd, Path path) {
            this.fd = fd;
            this.path = path;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws PosixCallException {
            while (length > 0) {
                int n = Math.min(length, WRITE_CHUNK);
                if (buffer == null) {
                    buffer = writeBuffers.get();
                }
                buffer.clear();
                buffer.put(bytes, offset, n);
                int done = 0;
                while (done < n) {
                    buffer.position(done);
                    long w = libc.write(fd, buffer.slice(), n - done);
                    if (w < 0) {
                        int errno = errno();
                        if (errno == EINTR) {
                            continue;
                        }
                        throw failure("write", path, errno);
                    }
                    done += (int) w;
                }
                offset += n;
                length -= n;
            }
        }

        @Override
        public void chown(int uid, int gid) throws PosixCallException {
            if (libc.fchown(fd, uid, gid) != 0) {
                throw failure("fchown", path, errno());
            }
        }

        @Override
        public void chmod(int mode) throws PosixCallException {
            if (libc.fchmod(fd, mode & 07777) != 0) {
                throw failure("fchmod", path, errno());
            }
        }

        @Override
        public void setTimes(long epochSeconds, int nanos) throws PosixCallException {
            if (libc.futimens(fd, new long[] {epochSeconds, nanos, epochSeconds, nanos}) != 0) {
                throw failure("futimens", path, errno());
            }
        }

        @Override
        public void close() throws PosixCallException {
            if (closed) {
                return;
            }
            closed = true;
            // Linux releases the descriptor even when close fails (also on EINTR): never retry it.
            if (libc.close(fd) != 0) {
                throw failure("close", path, errno());
            }
        }
    }

    /**
     * One native write buffer per thread, reused by every file it writes through this binding (a direct buffer is
     * passed to write(2) without a copy; allocating one per file would cost more than the copy it saves).
     */
    private final ThreadLocal<ByteBuffer> writeBuffers =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(WRITE_CHUNK));

    @Override
    public int effectiveUid() {
        return libc.geteuid();
    }

    private int errno() {
        return runtime.getLastError();
    }

    private PosixCallException failure(String call, Path path, int errno) {
        String reason;
        try {
            reason = libc.strerror(errno);
        } catch (RuntimeException e) {
            reason = "error";
        }
        return new PosixCallException(call, path.toString(), errno, reason);
    }

    private static byte[] cString(String s, Charset charset) {
        byte[] bytes = s.getBytes(charset);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }
}
