package dev.wharf.layers.posix;

import dev.wharf.layers.LayerException;
import java.nio.file.Path;

/**
 * Tells, without an exception, whether anything is at a path. java.nio reports a miss with two exceptions, a
 * {@code UnixException} and the {@code NoSuchFileException} it becomes (and {@code Files.createDirectories} or
 * {@code createFile} report an existing path with a {@code FileAlreadyExistsException}), each filling in its stack
 * trace and unwinding through frames that a fresh JVM runs interpreted. A build's steps probe paths that mostly are
 * not there (a snapshot view's layers, a step's new snapshot records and ids) or mostly are (a cache identity's
 * directory): bench/run.sh's h-50-steps made thousands of such exceptions per build. The binding's
 * {@link PosixFiles#lexists} answers with the system call's result code alone.
 *
 * <p>Both answers are one-sided: when this cannot tell (no native binding, an unknown {@code struct stat}, a failure
 * other than absence such as {@code EACCES}), the caller is sent to java.nio, which reports what fails as before.
 * Stateless but for the binding, loaded on first use (a build that runs steps loads it anyway). Thread-safe.
 */
public final class PathPresence {
    private static volatile PosixFiles binding;
    /** Set once the binding cannot answer here (no native binding, or no known {@code struct stat}). */
    private static volatile boolean unusable;

    private PathPresence() {
    }

    /**
     * False when nothing is at {@code path} itself (a symlink there is something, dangling or not); true when
     * something is, or when this cannot tell and the caller is to ask java.nio.
     */
    public static boolean mayExist(Path path) {
        return probe(path) != Boolean.FALSE;
    }

    /**
     * True when something is at {@code path} itself (a symlink there counts, dangling or not); false when nothing
     * is, or when this cannot tell and the caller is to act as java.nio would have it (create, and handle "exists").
     */
    public static boolean surelyExists(Path path) {
        return probe(path) == Boolean.TRUE;
    }

    /** The answer of {@code lstat}, or null when it cannot be had without java.nio. */
    private static Boolean probe(Path path) {
        if (unusable) {
            return null;
        }
        try {
            PosixFiles posix = binding;
            if (posix == null) {
                posix = PosixFiles.system();
                binding = posix;
            }
            return posix.lexists(path);
        } catch (PosixCallException e) {
            // A failure other than absence (EACCES, ELOOP in a prefix...): java.nio reports it as before.
            return null;
        } catch (LayerException | UnsupportedOperationException | LinkageError e) {
            unusable = true;
            return null;
        }
    }
}
