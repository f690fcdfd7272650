package dev.wharf.context.checksum;

import dev.wharf.context.ContextException;
import dev.wharf.context.walk.FileType;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads the extended attributes that go into a checksum header, as fsutil's {@code loadXattr} (stat_unix.go) does
 * for every entry it sends: {@code llistxattr}, then {@code lgetxattr} per name, never following a symlink and never
 * opening the file (so FIFOs and devices are safe to ask). The selection BuildKit hashes ({@code
 * security.capability} and everything outside {@code security.} and {@code system.}) is applied by
 * {@link TarsumHeader}; this class returns all names.
 *
 * <p>The native binding comes from wharf-layers ({@link PosixFiles}). When it cannot be loaded, the JDK's
 * {@code user.} view is the fallback, which cannot see {@code security.capability} or {@code trusted.*} and is
 * asked only for regular files and directories (the JDK opens the file to list attributes, which would block on a
 * FIFO). Thread-safe (the binding is loaded once, on first use).
 */
final class XattrReader {

    /**
     * Reads through the native scan helper before the binding is loaded: a re-checksum that hashes one changed
     * file pays a process start (a few milliseconds) instead of jnr-ffi's class generation (some 200 ms of a fresh
     * JVM's CPU). Past this many reads the binding pays off and is loaded.
     */
    private static final int HELPER_READS = 8;

    private final Supplier<PosixFiles> binding; // yields null: JDK fallback
    /** The cache whose native helper reads the first attributes, or null. */
    private final ChecksumCache helper;
    private final java.util.concurrent.atomic.AtomicInteger helperReads = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Optional<PosixFiles> posix;

    private XattrReader(Supplier<PosixFiles> binding) {
        this(binding, null);
    }

    private XattrReader(Supplier<PosixFiles> binding, ChecksumCache helper) {
        this.binding = binding;
        this.helper = helper;
    }

    /**
     * {@link #system()}, whose first few reads go through the native scan helper of {@code cache} (when it has one)
     * rather than loading the binding.
     */
    static XattrReader system(ChecksumCache cache) {
        return new XattrReader(SYSTEM, cache);
    }

    /**
     * The libc binding when it loads, else the JDK fallback. The binding is loaded on the first read, not here: a
     * build whose context checksums all come from the cache never reads an attribute, and loading the native
     * binding (jnr-ffi generates classes) is a large part of a cached CLI build's start.
     */
    static XattrReader system() {
        return new XattrReader(SYSTEM);
    }

    /**
     * The libc binding, or null. An anonymous class rather than a method reference: a fresh JVM spins a class for
     * a lambda or method reference at its first use, on the path of every re-checksum.
     */
    private static final Supplier<PosixFiles> SYSTEM = new Supplier<>() {
        @Override
        public PosixFiles get() {
            try {
                return PosixFiles.system();
            } catch (LayerException | LinkageError e) {
                return null;
            }
        }
    };

    /** A reader over {@code posix}, for tests. */
    static XattrReader using(PosixFiles posix) {
        return new XattrReader(() -> posix);
    }

    /** The JDK-only reader. */
    static XattrReader jdkOnly() {
        return new XattrReader(() -> null);
    }

    private PosixFiles posix() {
        Optional<PosixFiles> p = posix;
        if (p == null) {
            synchronized (this) {
                p = posix;
                if (p == null) {
                    p = Optional.ofNullable(binding.get());
                    posix = p;
                }
            }
        }
        return p.orElse(null);
    }

    /**
     * Attributes by full name ({@code security.capability}, {@code user.x}); empty when the file system does not
     * support them.
     *
     * @param display the path as the user knows it, for the error message
     * @throws ContextException when the list cannot be read for another reason than missing support (fsutil fails
     *                          the transfer with "failed to xattr")
     */
    Map<String, byte[]> read(Path file, FileType type, String display) throws ContextException {
        if (posix == null && helperReads.get() < HELPER_READS && helperReads.incrementAndGet() <= HELPER_READS) {
            Optional<dev.wharf.context.walk.NativeTreeScan> h = helper == null ? Optional.empty() : helper.scanner();
            if (h.isPresent()) {
                Optional<Map<String, byte[]>> attrs = h.get().xattrs(file);
                if (attrs.isPresent()) {
                    return attrs.get();
                }
            }
        }
        PosixFiles posix = posix();
        if (posix == null) {
            return readJdk(file, type);
        }
        List<String> names;
        try {
            names = posix.listXattrs(file);
        } catch (LayerException e) {
            throw new ContextException("failed to xattr " + display + ": " + e.getMessage(), e);
        }
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> out = new HashMap<>();
        for (String name : names) {
            try {
                Optional<byte[]> value = posix.getXattr(file, name);
                value.ifPresent(v -> out.put(name, v));
            } catch (LayerException e) {
                // loadXattr keeps only the values LGetxattr returned without error.
            }
        }
        return out;
    }

    private static Map<String, byte[]> readJdk(Path file, FileType type) {
        if (type != FileType.REGULAR && type != FileType.DIRECTORY) {
            return Map.of();
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Map.of();
        }
        try {
            var names = view.list();
            if (names.isEmpty()) {
                return Map.of();
            }
            Map<String, byte[]> out = new HashMap<>();
            for (String name : names) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                buf.flip();
                byte[] value = new byte[buf.remaining()];
                buf.get(value);
                out.put("user." + name, value);
            }
            return out;
        } catch (IOException | UnsupportedOperationException e) {
            return Map.of();
        }
    }
}
