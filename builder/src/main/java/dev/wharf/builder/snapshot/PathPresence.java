package dev.wharf.builder.snapshot;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixCallException;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Path;

/**
 * Tells, without an exception, that nothing is at a path: {@link RootView} probes every layer of a root for each
 * component of each path it resolves, and most layers hold nothing there (a RUN's layer holds only what that RUN
 * changed). java.nio reports each such miss with two exceptions, a {@code UnixException} and the
 * {@code NoSuchFileException} it becomes, each filling in its stack trace and unwinding through frames that a fresh
 * JVM runs interpreted. A view is made per step and a step resolves several paths ({@code /etc}, its mount stubs,
 * {@code /etc/passwd}) through all of its layers, so the misses grow with the square of the steps: bench/run.sh's
 * h-50-steps made 5,700 of them per build, 11,400 exceptions. The binding's {@link PosixFiles#lexists} answers a
 * miss with the system call's result code alone.
 *
 * <p>Stateless but for the binding, loaded on first use (a build that runs steps loads it anyway). Thread-safe.
 */
final class PathPresence {
    private static volatile PosixFiles binding;
    /** Set once the binding cannot answer here (no native binding, or no known {@code struct stat}). */
    private static volatile boolean unusable;

    private PathPresence() {
    }

    /**
     * False when nothing is at {@code path} itself (a symlink there is something, dangling or not); true when
     * something is, or when this cannot tell and the caller is to ask java.nio, which reports what fails.
     */
    static boolean mayExist(Path path) {
        if (unusable) {
            return true;
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
            return true;
        } catch (LayerException | UnsupportedOperationException | LinkageError e) {
            unusable = true;
            return true;
        }
    }
}
