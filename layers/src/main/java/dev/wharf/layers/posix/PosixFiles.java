package dev.wharf.layers.posix;

import dev.wharf.layers.LayerException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The file operations wharf needs beyond {@code java.nio}: extended attributes, device nodes and fifos, and owner
 * and time changes that never follow a symlink at the last path component.
 *
 * <p>Implementations are stateless and thread-safe. Every method acts on the path itself, never on a symlink's
 * target (the {@code l*} calls, {@code AT_SYMLINK_NOFOLLOW}). Errors are {@link PosixCallException}s with the errno.
 */
public interface PosixFiles {
    /** File type bits of {@code st_mode} for a character device. */
    int S_IFCHR = 0020000;
    /** File type bits of {@code st_mode} for a block device. */
    int S_IFBLK = 0060000;
    /** File type bits of {@code st_mode} for a fifo. */
    int S_IFIFO = 0010000;

    /**
     * The system property that picks the binding {@link #system} returns: {@code jnr} forces the jffi binding (for
     * tests of both bindings, and as an escape hatch should wharf's JNI library misbehave somewhere).
     */
    String BINDING_PROPERTY = "wharf.posix";

    /**
     * Returns the host's libc binding: wharf's JNI library when it is packaged for this machine and loads (a fresh
     * JVM sets it up in about a millisecond), else jffi's (some 25-40 ms of set-up), or jffi's when the system
     * property {@value #BINDING_PROPERTY} is {@code jnr}.
     *
     * @throws LayerException if no native binding can be loaded
     */
    static PosixFiles system() throws LayerException {
        if (!"jnr".equals(System.getProperty(BINDING_PROPERTY))) {
            PosixFiles jni = JniPosixFiles.load();
            if (jni != null) {
                return jni;
            }
        }
        return JnrPosixFiles.load();
    }

    /** Returns the names of the extended attributes of {@code path} ({@code llistxattr}), in the kernel's order. */
    List<String> listXattrs(Path path) throws LayerException;

    /** Returns the value of one extended attribute ({@code lgetxattr}), or empty when it is not set. */
    Optional<byte[]> getXattr(Path path, String name) throws LayerException;

    /** Sets one extended attribute ({@code lsetxattr}), creating or replacing it. */
    void setXattr(Path path, String name, byte[] value) throws LayerException;

    /**
     * Creates a device node or fifo ({@code mknod}).
     *
     * @param mode file type bits ({@link #S_IFCHR}, {@link #S_IFBLK}, {@link #S_IFIFO}) or'ed with permission bits
     * @param device the {@code dev_t}, see {@link DeviceNumbers#makedev}; 0 for a fifo
     */
    void mknod(Path path, int mode, long device) throws LayerException;

    /**
     * Creates a symlink at {@code link} whose target is exactly {@code target} ({@code symlink}); unlike
     * {@code Files.createSymbolicLink}, the target is not normalised (a trailing or doubled slash is kept).
     */
    void symlink(String target, Path link) throws LayerException;

    /** Changes the owner of {@code path} itself ({@code lchown}). */
    void lchown(Path path, int uid, int gid) throws LayerException;

    /**
     * Sets the permission bits of {@code path}, including setuid, setgid and sticky ({@code chmod}). It follows a
     * symlink at {@code path}, as {@code chmod} does (Linux cannot change a symlink's own mode): call it only on
     * paths known not to be symlinks.
     */
    default void chmod(Path path, int mode) throws LayerException {
        try {
            java.nio.file.Files.setAttribute(path, "unix:mode", mode & 07777);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            throw new LayerException("cannot change the mode of " + path + ": " + e.getMessage(), e);
        }
    }

    /** Sets access and modification time of {@code path} itself ({@code utimensat}, {@code AT_SYMLINK_NOFOLLOW}). */
    void setTimes(Path path, long epochSeconds, int nanos) throws LayerException;

    /**
     * Returns what {@code lstat} says about {@code path} itself, in one system call ({@code fstatat} with
     * {@code AT_SYMLINK_NOFOLLOW}): cheaper than java.nio's attribute map when a whole tree is scanned.
     *
     * @throws PosixCallException with the errno ({@link PosixCallException#ENOENT} when nothing is there)
     * @throws UnsupportedOperationException when this binding does not know the platform's {@code struct stat}
     */
    default PosixStat lstat(Path path) throws LayerException {
        throw new UnsupportedOperationException("lstat is not available in " + getClass().getName());
    }

    /**
     * Whether anything is at {@code path} itself ({@code lstat} succeeds: a dangling symlink counts), answered
     * without an exception when nothing is there ({@code ENOENT}, or {@code ENOTDIR}: a prefix is no directory).
     * java.nio answers that with two exceptions (its own and the {@code NoSuchFileException} it becomes), each with
     * a stack trace, and unwinds them through interpreted frames in a fresh JVM: a root of many layers is probed
     * mostly for paths that a layer does not hold ({@code RootView}).
     *
     * @throws PosixCallException with the errno of any other failure
     * @throws UnsupportedOperationException when this binding does not know the platform's {@code struct stat}
     */
    default boolean lexists(Path path) throws LayerException {
        try {
            lstat(path);
            return true;
        } catch (PosixCallException e) {
            if (e.errno() == PosixCallException.ENOENT || e.errno() == PosixCallException.ENOTDIR) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Creates the regular file {@code path}, which must not exist ({@code open} with {@code O_CREAT | O_EXCL}: a
     * symlink at that path is an error, never followed), with permission bits {@code mode} (less the umask), and
     * returns it open for writing.
     *
     * @throws PosixCallException with the errno ({@link PosixCallException#EEXIST} when something is there)
     * @throws UnsupportedOperationException when this binding cannot (callers then use java.nio)
     */
    default NewFile createFile(Path path, int mode) throws LayerException {
        throw new UnsupportedOperationException("createFile is not available in " + getClass().getName());
    }

    /**
     * Returns the names in the directory {@code dir}, without {@code .} and {@code ..}, in no particular order
     * ({@code open} with {@code O_DIRECTORY}, then {@code getdents64}; as java.nio, a symlink to a directory is
     * followed). Names
     * are decoded as java.nio decodes file names; a directory holding a name that does not survive decoding and
     * encoding again (bytes invalid in that charset) is reported unsupported, so callers list it with java.nio, whose
     * paths keep the bytes. Lighter than java.nio's directory stream, which makes a stream, a lock and a path per
     * entry: a layer of a tree lists thousands of directories.
     *
     * @throws PosixCallException with the errno
     * @throws UnsupportedOperationException when this binding cannot (callers then use java.nio)
     */
    default List<String> listDirectory(Path dir) throws LayerException {
        throw new UnsupportedOperationException("listDirectory is not available in " + getClass().getName());
    }

    /**
     * Opens the existing regular file {@code path} for reading ({@code open} with {@code O_RDONLY | O_NOFOLLOW |
     * O_NONBLOCK}: a symlink at its last component is an error, never followed, and a FIFO does not wait for a
     * writer), then checks through {@code fstat} that it is a regular file. Lighter than a java.nio channel, which
     * makes several objects and a cleaner per file: a layer of a tree reads thousands of files.
     *
     * @throws PosixCallException with the errno
     * @throws LayerException naming the path when it is not a regular file (a FIFO, a device, a socket)
     * @throws UnsupportedOperationException when this binding cannot (callers then use java.nio)
     */
    default ReadableFile openForReading(Path path) throws LayerException {
        throw new UnsupportedOperationException("openForReading is not available in " + getClass().getName());
    }

    /** Returns the effective user ID of this process. */
    int effectiveUid();

    /**
     * Formats the ustar header block of a tar entry that needs no PAX record, natively, with the bytes
     * {@link dev.wharf.layers.tar.TarWriter} formats for it in Java; the arguments are a
     * {@link dev.wharf.layers.tar.TarEntry}'s fields ({@code type}: its ustar type flag). A layer writes one per
     * entry, and in a fresh JVM the Java formatting runs interpreted for thousands of entries (issue #3).
     *
     * @param header receives the 512 bytes when this returns true
     * @return false, with {@code header} untouched, when the entry needs a PAX record or a field does not fit
     *     (non-ASCII or long names, long link targets, large numbers): the caller formats it then
     * @throws UnsupportedOperationException where the binding has no such routine (jffi's)
     */
    default boolean ustarHeader(String name, char type, int mode, long uid, long gid, long size, long mtime,
            String linkName, long devMajor, long devMinor, byte[] header) {
        throw new UnsupportedOperationException("ustarHeader is not available in " + getClass().getName());
    }
}
