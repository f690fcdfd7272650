package dev.wharf.layers.layout;

import dev.wharf.layers.LayerException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock over a store root that holds across threads and processes: a JVM-local lock plus an OS
 * {@link FileLock} on the store's lock file.
 *
 * <p>Thread-safe. {@link FileLock}s belong to the whole JVM, and a second lock on the same file from the same JVM
 * throws {@link OverlappingFileLockException} instead of waiting. Threads sharing this instance therefore queue on a
 * local {@link ReentrantLock} first; two instances over the same root in one JVM (which should be rare) fall back to
 * polling until the other instance releases. The lock is not reentrant: acquiring it twice on one thread is a bug.
 */
public final class StoreLock {
    private static final long POLL_MILLIS = 5;

    private final Path lockFile;
    private final ReentrantLock local = new ReentrantLock(true);

    /** Makes a lock over the given lock file, which is created on first use and never deleted. */
    public StoreLock(Path lockFile) {
        this.lockFile = lockFile;
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
        } catch (IOException | RuntimeException | InterruptedException e) {
            closeQuietly(channel);
            local.unlock();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new LayerException("cannot lock the store: " + lockFile + " (" + e.getMessage()
                    + "); check that the store directory is writable and on a filesystem with file locks", e);
        }
    }

    private static FileLock lockAcrossInstances(FileChannel channel) throws IOException, InterruptedException {
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException e) {
                // Another StoreLock instance in this JVM holds it; FileLock cannot wait for that, so poll.
                Thread.sleep(POLL_MILLIS);
            }
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
