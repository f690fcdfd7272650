package dev.wharf.layers.posix;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import dev.wharf.layers.LayerException;
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
 * {@link PosixFiles} over the host's libc, called through jffi (the native-call layer beneath jnr-ffi) directly.
 * Immutable and thread-safe (errno is saved per thread by jffi).
 *
 * <p>Not through a jnr-ffi interface: jnr-ffi generates the implementing class with ASM and x86 stubs when the
 * library is loaded, about 70 ms of CPU and 100 ms or more of a fresh JVM's start (those classes, and ASM's own,
 * which are class-file version 49, cannot go into a class-data archive), while these calls are few and simple. Every
 * argument is a number or the address of native memory: paths and other byte strings are copied into a per-thread
 * native buffer ({@link Scratch}), results read back from it, so no Java array is pinned or copied by JNI.
 */
final class JnrPosixFiles implements PosixFiles {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int ERANGE = NativeNames.ERANGE;
    private static final int EINTR = 4;
    private static final int CREATE_FLAGS = NativeNames.CREATE_FLAGS;
    private static final int READ_FLAGS = NativeNames.READ_FLAGS;
    private static final int DIRECTORY_FLAGS = NativeNames.DIRECTORY_FLAGS;
    /**
     * Bytes handed to one write or read call; the copy into or out of the native buffer is the one java.nio's
     * FileChannel makes too.
     */
    private static final int WRITE_CHUNK = 256 * 1024;
    private static final int XATTR_MAX = NativeNames.XATTR_MAX;

    /**
     * The libc functions used (names and signatures as in glibc 2.28+, mknod as a symbol since 2.33): addresses and
     * call contexts, resolved once per JVM on first use and shared, as they are stateless. A failed load fails
     * every later use the same way (as a LinkageError).
     */
    private static final class Binding {
        static final Binding LIBC = create();

        final Invoker invoker = Invoker.getInstance();
        final Function llistxattr = function("llistxattr", Type.SLONG, Type.POINTER, Type.POINTER, Type.ULONG);
        final Function lgetxattr = function("lgetxattr", Type.SLONG, Type.POINTER, Type.POINTER, Type.POINTER,
                Type.ULONG);
        final Function lsetxattr = function("lsetxattr", Type.SINT, Type.POINTER, Type.POINTER, Type.POINTER,
                Type.ULONG, Type.SINT);
        final Function mknod = function("mknod", Type.SINT, Type.POINTER, Type.UINT, Type.ULONG);
        final Function lchown = function("lchown", Type.SINT, Type.POINTER, Type.UINT, Type.UINT);
        final Function chmod = function("chmod", Type.SINT, Type.POINTER, Type.UINT);
        final Function symlink = function("symlink", Type.SINT, Type.POINTER, Type.POINTER);
        final Function utimensat = function("utimensat", Type.SINT, Type.SINT, Type.POINTER, Type.POINTER,
                Type.SINT);
        final Function fstatat = function("fstatat", Type.SINT, Type.SINT, Type.POINTER, Type.POINTER, Type.SINT);
        final Function geteuid = function("geteuid", Type.UINT);
        final Function open = function("open", Type.SINT, Type.POINTER, Type.SINT, Type.UINT);
        final Function write = function("write", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
        final Function read = function("read", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
        /** glibc 2.30+; absent (address 0) before. */
        final Function getdents64 = function("getdents64", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
        final Function fchown = function("fchown", Type.SINT, Type.SINT, Type.UINT, Type.UINT);
        final Function fchmod = function("fchmod", Type.SINT, Type.SINT, Type.UINT);
        final Function futimens = function("futimens", Type.SINT, Type.SINT, Type.POINTER);
        final Function close = function("close", Type.SINT, Type.SINT);
        final Function strerror = function("strerror", Type.POINTER, Type.SINT);

        private Binding() {
        }

        private static Binding create() {
            JffiStubCache.use();
            return new Binding();
        }

        /** A libc function of the process (libc is loaded in every JVM); its address is 0 when libc lacks it. */
        private static Function function(String name, Type result, Type... parameters) {
            long address = Library.getDefault().getSymbolAddress(name);
            return new Function(name, address,
                    CallContext.getCallContext(result, parameters, CallingConvention.DEFAULT, true));
        }
    }

    /** A resolved libc function. */
    private record Function(String name, long address, CallContext context) {
        long call0() {
            return Binding.LIBC.invoker.invokeN0(context, checked());
        }

        long call(long a) {
            return Binding.LIBC.invoker.invokeN1(context, checked(), a);
        }

        long call(long a, long b) {
            return Binding.LIBC.invoker.invokeN2(context, checked(), a, b);
        }

        long call(long a, long b, long c) {
            return Binding.LIBC.invoker.invokeN3(context, checked(), a, b, c);
        }

        long call(long a, long b, long c, long d) {
            return Binding.LIBC.invoker.invokeN4(context, checked(), a, b, c, d);
        }

        long call(long a, long b, long c, long d, long e) {
            return Binding.LIBC.invoker.invokeN5(context, checked(), a, b, c, d, e);
        }

        /** The return value of a function returning a C int (the register's upper half is not defined). */
        int callInt(long a) {
            return (int) call(a);
        }

        int callInt(long a, long b) {
            return (int) call(a, b);
        }

        int callInt(long a, long b, long c) {
            return (int) call(a, b, c);
        }

        int callInt(long a, long b, long c, long d) {
            return (int) call(a, b, c, d);
        }

        int callInt(long a, long b, long c, long d, long e) {
            return (int) call(a, b, c, d, e);
        }

        private long checked() {
            if (address == 0) {
                throw new UnsatisfiedLinkError("libc has no function " + name);
            }
            return address;
        }
    }

    /**
     * A thread's native buffer for the byte strings and results of one call, grown when a call needs more. Not
     * thread-safe: one per thread.
     */
    private static final class Scratch {
        ByteBuffer buffer;
        long address;

        Scratch() {
            allocate(16 * 1024);
        }

        private void allocate(int size) {
            buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
            address = MemoryIO.getInstance().getDirectBufferAddress(buffer);
        }

        /** Makes room for {@code size} bytes; what the buffer held is gone. */
        Scratch reserve(int size) {
            if (buffer.capacity() < size) {
                allocate(Math.max(size, buffer.capacity() * 2));
            }
            return this;
        }

        /** Copies {@code bytes} and a NUL to {@code offset}; returns the offset after the NUL. */
        int putString(int offset, byte[] bytes) {
            buffer.put(offset, bytes);
            buffer.put(offset + bytes.length, (byte) 0);
            return offset + bytes.length + 1;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Binding libc;
    // Java encodes file names with sun.jnu.encoding; native calls must see the same bytes.
    private final Charset pathCharset;
    /** How this binding's descriptors ({@link OpenDescriptor}) are closed. */
    private final OpenDescriptor.Closer closer = this::close;

    private JnrPosixFiles(Binding libc, Charset pathCharset) {
        this.libc = libc;
        this.pathCharset = pathCharset;
    }

    static JnrPosixFiles load() throws LayerException {
        try {
            Binding libc = Binding.LIBC;
            String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
            Charset charset = Charset.isSupported(encoding) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
            return new JnrPosixFiles(libc, charset);
        } catch (LinkageError | RuntimeException e) {
            throw new LayerException("cannot load libc through jffi (needed for xattrs, devices and owners): "
                    + e.getMessage(), e);
        }
    }

    /** The thread's scratch buffer holding {@code path} as a C string at offset 0. */
    private Scratch withPath(Path path) {
        byte[] p = path.toString().getBytes(pathCharset);
        Scratch scratch = SCRATCH.get().reserve(p.length + 1);
        scratch.putString(0, p);
        return scratch;
    }

    @Override
    public List<String> listXattrs(Path path) throws LayerException {
        byte[] p = path.toString().getBytes(pathCharset);
        // Ask for the size first: most files have no xattrs.
        for (int attempt = 0; attempt < 3; attempt++) {
            Scratch scratch = SCRATCH.get().reserve(p.length + 1);
            scratch.putString(0, p);
            long size = libc.llistxattr.call(scratch.address, 0, 0);
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
            int capacity = (int) Math.min(size, XATTR_MAX);
            int list = p.length + 1;
            scratch = scratch.reserve(list + capacity);
            scratch.putString(0, p);
            long n = libc.llistxattr.call(scratch.address, scratch.address + list, capacity);
            if (n < 0) {
                int errno = errno();
                if (errno == ERANGE) {
                    continue; // The list grew between the two calls.
                }
                throw failure("llistxattr", path, errno);
            }
            byte[] buf = new byte[(int) n];
            scratch.buffer.get(list, buf);
            return NativeNames.xattrNames(buf, (int) n);
        }
        throw failure("llistxattr", path, ERANGE);
    }

    @Override
    public Optional<byte[]> getXattr(Path path, String name) throws LayerException {
        byte[] p = path.toString().getBytes(pathCharset);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 3; attempt++) {
            Scratch scratch = SCRATCH.get().reserve(p.length + n.length + 2);
            int value = scratch.putString(scratch.putString(0, p), n);
            long size = libc.lgetxattr.call(scratch.address, scratch.address + p.length + 1, 0, 0);
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
            int capacity = (int) Math.min(size, XATTR_MAX);
            scratch = scratch.reserve(value + capacity);
            scratch.putString(scratch.putString(0, p), n);
            long got = libc.lgetxattr.call(scratch.address, scratch.address + p.length + 1, scratch.address + value,
                    capacity);
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
            byte[] result = new byte[(int) got];
            scratch.buffer.get(value, result);
            return Optional.of(result);
        }
        throw failure("lgetxattr " + name, path, ERANGE);
    }

    @Override
    public void setXattr(Path path, String name, byte[] value) throws LayerException {
        byte[] p = path.toString().getBytes(pathCharset);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        Scratch scratch = SCRATCH.get().reserve(p.length + n.length + 2 + value.length);
        int v = scratch.putString(scratch.putString(0, p), n);
        scratch.buffer.put(v, value);
        if (libc.lsetxattr.callInt(scratch.address, scratch.address + p.length + 1, scratch.address + v,
                value.length, 0) != 0) {
            throw failure("lsetxattr " + name, path, errno());
        }
    }

    @Override
    public void mknod(Path path, int mode, long device) throws LayerException {
        if (libc.mknod.callInt(withPath(path).address, mode, device) != 0) {
            throw failure("mknod", path, errno());
        }
    }

    @Override
    public void symlink(String target, Path link) throws LayerException {
        byte[] t = target.getBytes(pathCharset);
        byte[] l = link.toString().getBytes(pathCharset);
        Scratch scratch = SCRATCH.get().reserve(t.length + l.length + 2);
        scratch.putString(scratch.putString(0, t), l);
        if (libc.symlink.callInt(scratch.address, scratch.address + t.length + 1) != 0) {
            throw failure("symlink", link, errno());
        }
    }

    @Override
    public void lchown(Path path, int uid, int gid) throws LayerException {
        if (libc.lchown.callInt(withPath(path).address, uid, gid) != 0) {
            throw failure("lchown", path, errno());
        }
    }

    @Override
    public void chmod(Path path, int mode) throws LayerException {
        if (libc.chmod.callInt(withPath(path).address, mode & 07777) != 0) {
            throw failure("chmod", path, errno());
        }
    }

    @Override
    public void setTimes(Path path, long epochSeconds, int nanos) throws LayerException {
        byte[] p = path.toString().getBytes(pathCharset);
        int times = align8(p.length + 1);
        Scratch scratch = SCRATCH.get().reserve(times + 32);
        scratch.putString(0, p);
        putTimespecs(scratch.buffer, times, epochSeconds, nanos);
        if (libc.utimensat.callInt(AT_FDCWD, scratch.address, scratch.address + times, AT_SYMLINK_NOFOLLOW) != 0) {
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
        byte[] p = path.toString().getBytes(pathCharset);
        int stat = align8(p.length + 1);
        Scratch scratch = SCRATCH.get().reserve(stat + STAT.size());
        scratch.putString(0, p);
        if (libc.fstatat.callInt(AT_FDCWD, scratch.address, scratch.address + stat, AT_SYMLINK_NOFOLLOW) != 0) {
            throw failure("lstat", path, errno());
        }
        return STAT.decode(scratch.buffer.slice(stat, STAT.size()).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public NewFile createFile(Path path, int mode) throws LayerException {
        if (STAT == null) {
            throw new UnsupportedOperationException("createFile: open flags unknown on " + System.getProperty("os.arch"));
        }
        int fd = libc.open.callInt(withPath(path).address, CREATE_FLAGS, mode & 07777);
        if (fd < 0) {
            throw failure("open", path, errno());
        }
        return new JnrNewFile(fd, path);
    }

    @Override
    public List<String> listDirectory(Path dir) throws LayerException {
        if (DIRECTORY_FLAGS < 0 || libc.getdents64.address() == 0) {
            throw new UnsupportedOperationException("listDirectory: open flags or getdents64 unknown here");
        }
        int fd = libc.open.callInt(withPath(dir).address, DIRECTORY_FLAGS, 0);
        if (fd < 0) {
            throw failure("open", dir, errno());
        }
        try {
            // The records go through the thread's I/O buffer (nothing is left in it between calls) into an array of
            // their size (most directories: a few hundred bytes).
            WriteBuffer buffer = WRITE_BUFFERS.get();
            NativeNames.DirectoryNames sink = new NativeNames.DirectoryNames(dir, pathCharset);
            while (true) {
                long n = callRetrying(libc.getdents64, dir, fd, buffer.address(), WRITE_CHUNK);
                if (n == 0) {
                    return sink.names;
                }
                byte[] records = new byte[(int) n];
                buffer.bytes().get(0, records, 0, (int) n);
                DirectoryRecords.forEachName(records, (int) n, sink);
            }
        } finally {
            libc.close.callInt(fd);
        }
    }

    @Override
    public ReadableFile openForReading(Path path) throws LayerException {
        if (READ_FLAGS < 0) {
            throw new UnsupportedOperationException("openForReading: open flags unknown on "
                    + System.getProperty("os.arch"));
        }
        int fd = libc.open.callInt(withPath(path).address, READ_FLAGS, 0);
        if (fd < 0) {
            throw failure("open", path, errno());
        }
        ReadableFile file = new JnrReadableFile(fd, path);
        NativeNames.requireRegular(file, path);
        return file;
    }

    /** An open descriptor of a file being read, through the thread's native buffer. */
    private final class JnrReadableFile extends OpenDescriptor implements ReadableFile {
        JnrReadableFile(int fd, Path path) {
            super(fd, path, closer);
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws PosixCallException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            // The thread's buffer holds nothing between calls, so reads and writes of one thread share it.
            WriteBuffer buffer = WRITE_BUFFERS.get();
            long r = callRetrying(libc.read, path, fd, buffer.address(), Math.min(length, WRITE_CHUNK));
            if (r == 0) {
                return -1;
            }
            buffer.bytes().get(0, bytes, offset, (int) r);
            return (int) r;
        }

        @Override
        public PosixStat stat() throws LayerException {
            if (STAT == null) {
                throw new UnsupportedOperationException("fstat: struct stat layout unknown on "
                        + System.getProperty("os.arch"));
            }
            // fstatat with an empty name and AT_EMPTY_PATH is fstat of the descriptor (Linux 2.6.39+).
            int stat = 8;
            Scratch scratch = SCRATCH.get().reserve(stat + STAT.size());
            scratch.putString(0, new byte[0]);
            if (libc.fstatat.callInt(fd, scratch.address, scratch.address + stat, AT_EMPTY_PATH) != 0) {
                throw failure("fstat", path, errno());
            }
            return STAT.decode(scratch.buffer.slice(stat, STAT.size()).order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    /** An open descriptor of a created file; its write buffer is native memory, allocated on the first write. */
    private final class JnrNewFile extends OpenDescriptor implements NewFile {
        private WriteBuffer buffer;

        JnrNewFile(int fd, Path path) {
            super(fd, path, closer);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws PosixCallException {
            while (length > 0) {
                int n = Math.min(length, WRITE_CHUNK);
                if (buffer == null) {
                    buffer = WRITE_BUFFERS.get();
                }
                buffer.bytes().put(0, bytes, offset, n);
                int done = 0;
                while (done < n) {
                    long w = libc.write.call(fd, buffer.address() + done, n - done);
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
            if (libc.fchown.callInt(fd, uid, gid) != 0) {
                throw failure("fchown", path, errno());
            }
        }

        @Override
        public void chmod(int mode) throws PosixCallException {
            if (libc.fchmod.callInt(fd, mode & 07777) != 0) {
                throw failure("fchmod", path, errno());
            }
        }

        @Override
        public void setTimes(long epochSeconds, int nanos) throws PosixCallException {
            Scratch scratch = SCRATCH.get().reserve(32);
            putTimespecs(scratch.buffer, 0, epochSeconds, nanos);
            if (libc.futimens.callInt(fd, scratch.address) != 0) {
                throw failure("futimens", path, errno());
            }
        }

    }

    /** A direct buffer and its address. */
    private record WriteBuffer(ByteBuffer bytes, long address) {
    }

    /**
     * One native buffer per thread, reused by every file it writes or reads through this binding (a direct buffer is
     * passed to write(2) and read(2) without a copy; allocating one per file would cost more than the copy it
     * saves). No call leaves data in it.
     */
    private static final ThreadLocal<WriteBuffer> WRITE_BUFFERS = ThreadLocal.withInitial(() -> {
        ByteBuffer bytes = ByteBuffer.allocateDirect(WRITE_CHUNK);
        return new WriteBuffer(bytes, MemoryIO.getInstance().getDirectBufferAddress(bytes));
    });

    /** Two {@code struct timespec}s (access and modification time), both the given time, at {@code offset}. */
    private static void putTimespecs(ByteBuffer buffer, int offset, long epochSeconds, int nanos) {
        buffer.putLong(offset, epochSeconds);
        buffer.putLong(offset + 8, nanos);
        buffer.putLong(offset + 16, epochSeconds);
        buffer.putLong(offset + 24, nanos);
    }

    private static int align8(int offset) {
        return (offset + 7) & ~7;
    }

    @Override
    public int effectiveUid() {
        return (int) libc.geteuid.call0();
    }

    /**
     * Calls {@code function(a, b, c)}, a call returning a count or -1 with errno ({@code read}, {@code getdents64}),
     * again when a signal interrupted it.
     */
    private long callRetrying(Function function, Path path, long a, long b, long c) throws PosixCallException {
        while (true) {
            long n = function.call(a, b, c);
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno != EINTR) {
                throw failure(function.name(), path, errno);
            }
        }
    }

    private void close(int fd, Path path) throws PosixCallException {
        if (libc.close.callInt(fd) != 0) {
            throw failure("close", path, errno());
        }
    }

    private static int errno() {
        return LastError.getInstance().get();
    }

    private PosixCallException failure(String call, Path path, int errno) {
        String reason;
        try {
            long message = libc.strerror.call(errno);
            reason = message == 0 ? "error"
                    : new String(MemoryIO.getInstance().getZeroTerminatedByteArray(message), StandardCharsets.UTF_8);
        } catch (RuntimeException | LinkageError e) {
            reason = "error";
        }
        return new PosixCallException(call, path.toString(), errno, reason);
    }
}
