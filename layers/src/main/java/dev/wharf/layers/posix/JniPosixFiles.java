package dev.wharf.layers.posix;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.layout.NativeHelpers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link PosixFiles} over the host's libc through wharf's own small JNI library ({@code src/main/c/wharf-posix.c},
 * compiled at package time when gcc is there and packaged for the build machine's architecture). Immutable and
 * thread-safe.
 *
 * <p>Why beside the jffi binding ({@link JnrPosixFiles}): setting jffi up (its stub's cache check and load, a symbol
 * lookup and call context per function) costs every fresh JVM that applies or writes a layer some 25-40 ms before
 * its first call; this library is one {@code System.load} of a 15 KB file from {@link NativeLibraryCache}'s
 * directory. Each native method returns its result or {@code -errno}, so failures are the same
 * {@link PosixCallException}s (call, path, errno, strerror) as the jffi binding's. {@link #load} returns null where
 * the library is not packaged or does not load; {@link PosixFiles#system} then uses jffi.
 */
final class JniPosixFiles implements PosixFiles {
    /** The library's resource name under {@code native/linux-<arch>/} beside this class (see build-jni.sh). */
    static final String LIBRARY = "libwharf-posix.so";
    private static final int ERANGE = NativeNames.ERANGE;
    private static final int XATTR_MAX = NativeNames.XATTR_MAX;
    /** The bytes one getdents64 call fills (the C side's chunk). */
    private static final int RECORDS = 64 * 1024;
    private static final int CREATE_FLAGS = NativeNames.CREATE_FLAGS;
    private static final int READ_FLAGS = NativeNames.READ_FLAGS;
    private static final int DIRECTORY_FLAGS = NativeNames.DIRECTORY_FLAGS;
    /** What wharf-posix.c's copy adds to the errno of a failed write, to tell it from a failed read. */
    private static final int WRITE_FAILED = 0x10000;

    /** Null where the struct stat layout is unknown (or the library's struct is not that size): lstat unsupported. */
    private final StructStat stat;
    // Java encodes file names with sun.jnu.encoding; native calls must see the same bytes.
    private final Charset pathCharset;
    /** How this binding's descriptors ({@link OpenDescriptor}) are closed. */
    private final OpenDescriptor.Closer closer = (fd, path) -> check(close(fd), "close", path);

    private JniPosixFiles(StructStat stat, Charset pathCharset) {
        this.stat = stat;
        this.pathCharset = pathCharset;
    }

    /** The library loaded once per JVM (a class initialiser runs once; a failed load stays failed). */
    private static final class Library {
        static final boolean LOADED = load();

        private Library() {
        }

        private static boolean load() {
            if (READ_FLAGS < 0) {
                return false;
            }
            try {
                Optional<Path> lib = NativeHelpers.install(JniPosixFiles.class, LIBRARY,
                        NativeLibraryCache.directory());
                if (lib.isEmpty()) {
                    return false;
                }
                System.load(lib.get().toString());
                return true;
            } catch (IOException | RuntimeException | LinkageError e) {
                System.getLogger(JniPosixFiles.class.getName()).log(System.Logger.Level.DEBUG,
                        "wharf's JNI library not loaded, libc calls go through jffi: {0}", e.toString());
                return false;
            }
        }
    }

    /** The JNI binding, or null when its library is not packaged for here or cannot be loaded. */
    static JniPosixFiles load() {
        if (!Library.LOADED) {
            return null;
        }
        StructStat layout = StructStat.current();
        if (layout != null && layout.size() != statSize()) {
            layout = null;
        }
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        Charset charset = Charset.isSupported(encoding) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
        return new JniPosixFiles(layout, charset);
    }

    private static native int open(byte[] path, int flags, int mode);

    private static native int close(int fd);

    private static native int write(int fd, byte[] bytes, int offset, int length);

    private static native int read(int fd, byte[] bytes, int offset, int length);

    private static native int getdents(int fd, byte[] records);

    private static native long copy(int in, int out);

    private static native int fstat(int fd, byte[] statbuf);

    private static native int fchown(int fd, int uid, int gid);

    private static native int fchmod(int fd, int mode);

    private static native int futimens(int fd, long seconds, int nanos);

    private static native int utimensat(byte[] path, long seconds, int nanos);

    private static native int lchown(byte[] path, int uid, int gid);

    private static native int chmod(byte[] path, int mode);

    private static native int symlink(byte[] target, byte[] link);

    private static native int mknod(byte[] path, int mode, long device);

    private static native int lstat(byte[] path, byte[] statbuf);

    private static native int statSize();

    private static native long llistxattr(byte[] path, byte[] list);

    private static native long lgetxattr(byte[] path, byte[] name, byte[] value);

    private static native int lsetxattr(byte[] path, byte[] name, byte[] value);

    private static native int geteuid();

    private static native String strerror(int errno);

    private static native int formatUstarHeader(String name, int type, int mode, long uid, long gid, long size, long mtime,
            String linkName, long devMajor, long devMinor, byte[] header);

    /** {@code s} encoded as a NUL-terminated C string. */
    private static byte[] cString(String s, Charset charset) {
        byte[] bytes = s.getBytes(charset);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    private byte[] cPath(Path path) {
        return cString(path.toString(), pathCharset);
    }

    @Override
    public List<String> listXattrs(Path path) throws LayerException {
        byte[] p = cPath(path);
        // Ask for the size first: most files have no xattrs.
        for (int attempt = 0; attempt < 3; attempt++) {
            long size = llistxattr(p, null);
            if (size < 0) {
                if (-size == PosixCallException.ENOTSUP) {
                    return List.of();
                }
                throw failure("llistxattr", path, (int) -size);
            }
            if (size == 0) {
                return List.of();
            }
            byte[] buf = new byte[(int) Math.min(size, XATTR_MAX)];
            long n = llistxattr(p, buf);
            if (n < 0) {
                if (-n == ERANGE) {
                    continue; // The list grew between the two calls.
                }
                throw failure("llistxattr", path, (int) -n);
            }
            return NativeNames.xattrNames(buf, (int) n);
        }
        throw failure("llistxattr", path, ERANGE);
    }

    @Override
    public Optional<byte[]> getXattr(Path path, String name) throws LayerException {
        byte[] p = cPath(path);
        byte[] n = cString(name, StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 3; attempt++) {
            long size = lgetxattr(p, n, null);
            if (size < 0) {
                int errno = (int) -size;
                if (errno == PosixCallException.ENODATA || errno == PosixCallException.ENOTSUP) {
                    return Optional.empty();
                }
                throw failure("lgetxattr " + name, path, errno);
            }
            if (size == 0) {
                return Optional.of(new byte[0]);
            }
            byte[] value = new byte[(int) Math.min(size, XATTR_MAX)];
            long got = lgetxattr(p, n, value);
            if (got < 0) {
                int errno = (int) -got;
                if (errno == ERANGE) {
                    continue; // The value grew between the two calls.
                }
                if (errno == PosixCallException.ENODATA) {
                    return Optional.empty();
                }
                throw failure("lgetxattr " + name, path, errno);
            }
            return Optional.of(got == value.length ? value : Arrays.copyOf(value, (int) got));
        }
        throw failure("lgetxattr " + name, path, ERANGE);
    }

    @Override
    public void setXattr(Path path, String name, byte[] value) throws LayerException {
        check(lsetxattr(cPath(path), cString(name, StandardCharsets.UTF_8), value), "lsetxattr " + name, path);
    }

    @Override
    public void mknod(Path path, int mode, long device) throws LayerException {
        check(mknod(cPath(path), mode, device), "mknod", path);
    }

    @Override
    public void symlink(String target, Path link) throws LayerException {
        check(symlink(cString(target, pathCharset), cPath(link)), "symlink", link);
    }

    @Override
    public void lchown(Path path, int uid, int gid) throws LayerException {
        check(lchown(cPath(path), uid, gid), "lchown", path);
    }

    @Override
    public void chmod(Path path, int mode) throws LayerException {
        check(chmod(cPath(path), mode & 07777), "chmod", path);
    }

    @Override
    public void setTimes(Path path, long epochSeconds, int nanos) throws LayerException {
        check(utimensat(cPath(path), epochSeconds, nanos), "utimensat", path);
    }

    @Override
    public PosixStat lstat(Path path) throws LayerException {
        byte[] buf = statBuffer();
        check(lstat(cPath(path), buf), "lstat", path);
        return stat.decode(ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public boolean lexists(Path path) throws LayerException {
        // The result code alone: no exception and no decoding when nothing is there.
        int result = lstat(cPath(path), statBuffer());
        if (result == -PosixCallException.ENOENT || result == -PosixCallException.ENOTDIR) {
            return false;
        }
        check(result, "lstat", path);
        return true;
    }

    /** A buffer for lstat's struct stat; refused where its layout is unknown. */
    private byte[] statBuffer() {
        if (stat == null) {
            throw new UnsupportedOperationException("lstat: struct stat layout unknown on "
                    + System.getProperty("os.arch"));
        }
        return new byte[stat.size()];
    }

    @Override
    public NewFile createFile(Path path, int mode) throws LayerException {
        int fd = open(cPath(path), CREATE_FLAGS, mode & 07777);
        if (fd < 0) {
            throw failure("open", path, -fd);
        }
        return new JniNewFile(fd, path);
    }

    @Override
    public List<String> listDirectory(Path dir) throws LayerException {
        int fd = open(cPath(dir), DIRECTORY_FLAGS, 0);
        if (fd < 0) {
            throw failure("open", dir, -fd);
        }
        try {
            NativeNames.DirectoryNames sink = new NativeNames.DirectoryNames(dir, pathCharset);
            byte[] records = RECORD_BUFFERS.get();
            while (true) {
                int n = getdents(fd, records);
                if (n < 0) {
                    throw failure("getdents64", dir, -n);
                }
                if (n == 0) {
                    return sink.names;
                }
                DirectoryRecords.forEachName(records, n, sink);
            }
        } finally {
            close(fd);
        }
    }

    /** One records array per thread: getdents64's output is decoded before the next call. */
    private static final ThreadLocal<byte[]> RECORD_BUFFERS = ThreadLocal.withInitial(() -> new byte[RECORDS]);

    @Override
    public ReadableFile openForReading(Path path) throws LayerException {
        int fd = open(cPath(path), READ_FLAGS, 0);
        if (fd < 0) {
            throw failure("open", path, -fd);
        }
        ReadableFile file = new JniReadableFile(fd, path);
        NativeNames.requireRegular(file, path);
        return file;
    }

    @Override
    public int effectiveUid() {
        return geteuid();
    }

    @Override
    public boolean ustarHeader(String name, char type, int mode, long uid, long gid, long size, long mtime,
            String linkName, long devMajor, long devMinor, byte[] header) {
        java.util.Objects.checkFromIndexSize(0, 512, header.length);
        return formatUstarHeader(java.util.Objects.requireNonNull(name, "name"), type, mode, uid, gid, size, mtime,
                java.util.Objects.requireNonNull(linkName, "linkName"), devMajor, devMinor, header) == 1;
    }

    /** A file being read. */
    private final class JniReadableFile extends OpenDescriptor implements ReadableFile {
        JniReadableFile(int fd, Path path) {
            super(fd, path, closer);
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws PosixCallException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            int r = JniPosixFiles.read(fd, bytes, offset, length);
            if (r < 0) {
                throw failure("read", path, -r);
            }
            return r == 0 ? -1 : r;
        }

        @Override
        public PosixStat stat() throws LayerException {
            if (stat == null) {
                throw new UnsupportedOperationException("fstat: struct stat layout unknown on "
                        + System.getProperty("os.arch"));
            }
            byte[] buf = new byte[stat.size()];
            check(fstat(fd, buf), "fstat", path);
            return stat.decode(ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    /** A created file being written. */
    private final class JniNewFile extends OpenDescriptor implements NewFile {
        JniNewFile(int fd, Path path) {
            super(fd, path, closer);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws PosixCallException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            check(JniPosixFiles.write(fd, bytes, offset, length), "write", path);
        }

        /** Between two descriptors of this binding, in C (one call per file); otherwise through {@code buffer}. */
        @Override
        public long copyFrom(ReadableFile in, byte[] buffer) throws PosixCallException {
            if (!(in instanceof JniReadableFile source)) {
                return NewFile.super.copyFrom(in, buffer);
            }
            long r = copy(source.fd, fd);
            if (r >= 0) {
                return r;
            }
            int code = (int) -r;
            // wharf-posix.c's copy: -errno of a read, -(WRITE_FAILED + errno) of a write.
            throw code >= WRITE_FAILED ? failure("write", path, code - WRITE_FAILED)
                    : failure("read", source.path, code);
        }

        @Override
        public void chown(int uid, int gid) throws PosixCallException {
            check(fchown(fd, uid, gid), "fchown", path);
        }

        @Override
        public void chmod(int mode) throws PosixCallException {
            check(fchmod(fd, mode & 07777), "fchmod", path);
        }

        @Override
        public void setTimes(long epochSeconds, int nanos) throws PosixCallException {
            check(futimens(fd, epochSeconds, nanos), "futimens", path);
        }
    }

    /** Throws the call's failure when {@code result} is {@code -errno}. */
    private void check(int result, String call, Path path) throws PosixCallException {
        if (result < 0) {
            throw failure(call, path, -result);
        }
    }

    private static PosixCallException failure(String call, Path path, int errno) {
        String reason;
        try {
            reason = strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            reason = "error";
        }
        return new PosixCallException(call, path.toString(), errno, reason);
    }
}
