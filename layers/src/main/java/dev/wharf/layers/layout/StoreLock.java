package dev.wharf.layers.layout;

import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock over a store root that holds across threads and processes: a JVM-local lock plus an OS
 * {@link FileLock} on the store's lock file.
 *
 * <p>Thread-safe. {@link FileLock}s are POSIX record locks, which belong to the whole process: a second lock on the
 * same file from the same JVM throws {@link OverlappingFileLockException} instead of waiting, and closing ANY
 * descriptor of the file drops every lock the process holds on it. So every thread of the JVM that locks one lock
 * file, through any number of {@code StoreLock} instances, first queues on one JVM-wide {@link ReentrantLock} for
 * that file, and gives it up only after its descriptor is closed. (Two instances used to poll each other instead;
 * one's close could then silently drop the lock the other had just taken, and a tag written by another process in
 * that window was lost.) The lock is not reentrant: acquiring it twice on one thread is a bug.
 */
public final class StoreLock {
    /**
     * The JVM-local half of every lock file's lock, by absolute path. Static because the OS half is per process;
     * one small entry per store root ever locked.
     */
    private static final ConcurrentMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final ReentrantLock local;

    /** Makes a lock over the given lock file, which is created on first use and never deleted. */
    public StoreLock(Path lockFile) {
        this.lockFile = lockFile;
        this.local = PROCESS_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(),
                p -> new ReentrantLock(true));
    }

    /**
     * Blocks until this thread holds the lock in this JVM and the OS file lock across processes.
     *
     * @return the held lock; close it (try-with-resources) to release
     * @throws LayerException if the lock file cannot be opened or locked, or the thread is interrupted
     */
    public Held acquire() throws LayerException {
        if (local.isHeldByCurrentThread()) {
            throw new IllegalStateException("StoreLock on " + lockFile + " is not reentrant");
        }
        try {
            local.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LayerException("interrupted while waiting for the store lock " + lockFile, e);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = lockAcrossInstances(channel);
            return new Held(channel, fileLock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            local.unlock();
            throw new LayerException("cannot lock the store: " + lockFile + " (" + e.getMessage()
                    + "); check that the store directory is writable and on a filesystem with file locks", e);
        }
    }

    /**
     * Takes the lock only if no thread of this JVM and no other process holds it.
     *
     * @return the held lock (close it to release), or empty when someone else holds it
     * @throws LayerException if the lock file cannot be opened or locked
     */
    public Optional<Held> tryAcquire() throws LayerException {
        if (local.isHeldByCurrentThread()) {
            throw new IllegalStateException("StoreLock on " + lockFile + " is not reentrant");
        }
        if (!local.tryLock()) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                closeQuietly(channel);
                local.unlock();
                return Optional.empty();
            }
            return Optional.of(new Held(channel, fileLock));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            local.unlock();
            throw new LayerException("cannot lock " + lockFile + " (" + e.getMessage() + ")", e);
        }
    }

    private FileLock lockAcrossInstances(FileChannel channel) throws IOException {
        try {
            return channel.lock();
        } catch (OverlappingFileLockException e) {
            // Only code that bypasses StoreLock can hold it in this JVM: a bug, not something to wait for.
            throw new IllegalStateException("the lock file " + lockFile + " is locked in this JVM outside StoreLock",
                    e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing releases the OS lock; nothing more can be done if close itself fails.
            }
        }
    }

    /** A held store lock. Not thread-safe: close it on the thread that acquired it. */
    public final class Held implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock fileLock;
        private boolean released;

        private Held(FileChannel channel, FileLock fileLock) {
            this.channel = channel;
            this.fileLock = fileLock;
        }

        /** Releases the OS lock and then the JVM-local lock; a second call does nothing. */
        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            try {
                fileLock.release();
            } catch (IOException ignored) {
                // Closing the channel below releases the lock as well.
            } finally {
                closeQuietly(channel);
                local.unlock();
            }
        }
    }
}
