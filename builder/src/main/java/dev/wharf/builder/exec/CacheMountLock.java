package dev.wharf.builder.exec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who uses one cache mount's directory, across the threads of this JVM and other wharf processes: any number of
 * {@code sharing=shared} users together, or one {@code locked} or {@code private} user alone. This is BuildKit's
 * rule for a cache ref (solver/llbsolver/mounts/mount.go, getRefCacheDir): shared users join the ref in use, a
 * locked user waits until nobody holds it, and a private user, or a shared one arriving while a locked or private
 * user holds it, gets another cache.
 *
 * <p>Across processes the lock is an OS record lock on the cache's lock file, shared or exclusive. Such locks
 * belong to the whole process (a second lock of the same file in one JVM throws instead of waiting, and closing any
 * descriptor of it drops them all), so the users of this JVM are counted in one state per lock file, kept in a
 * process-wide map as {@code StoreLock} keeps its JVM-side locks: the first shared user takes the OS lock for all
 * of them and the last one releases it.
 *
 * <p>Thread-safe.
 */
final class CacheMountLock {
    /** This JVM's users of each lock file, by absolute path; one small entry per cache ever mounted. */
    private static final ConcurrentMap<Path, State> STATES = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final State state;

    CacheMountLock(Path lockFile) {
        this.lockFile = lockFile.toAbsolutePath().normalize();
        this.state = STATES.computeIfAbsent(this.lockFile, p -> new State());
    }

    /** A use of the cache; closing it ends the use. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Joins the cache's shared users, unless a locked or private user holds it (here or in another process). */
    Optional<Held> tryShared() throws IOException {
        synchronized (state) {
            if (state.exclusive) {
                return Optional.empty();
            }
            if (state.shared == 0) {
                FileChannel channel = open();
                FileLock lock = tryLock(channel, true);
                if (lock == null) {
                    return Optional.empty();
                }
                state.channel = channel;
            }
            state.shared++;
        }
        return Optional.of(once(this::releaseShared));
    }

    /** Takes the cache alone if nobody uses it now. */
    Optional<Held> tryExclusive() throws IOException {
        synchronized (state) {
            if (state.exclusive || state.shared > 0) {
                return Optional.empty();
            }
            FileChannel channel = open();
            FileLock lock = tryLock(channel, false);
            if (lock == null) {
                return Optional.empty();
            }
            state.channel = channel;
            state.exclusive = true;
        }
        return Optional.of(once(this::releaseExclusive));
    }

    /** Waits until nobody uses the cache, then takes it alone. */
    Held exclusive() throws IOException, InterruptedException {
        synchronized (state) {
            while (state.exclusive || state.shared > 0) {
                state.wait();
            }
            // Reserved in this JVM; other processes are waited for below, outside the monitor.
            state.exclusive = true;
        }
        FileChannel channel = null;
        try {
            channel = open();
            channel.lock(0, Long.MAX_VALUE, false);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            synchronized (state) {
                state.exclusive = false;
                state.notifyAll();
            }
            throw e;
        }
        synchronized (state) {
            state.channel = channel;
        }
        return once(this::releaseExclusive);
    }

    /** A use that ends once, however often it is closed. */
    private static Held once(Runnable release) {
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
        return () -> {
            if (open.getAndSet(false)) {
                release.run();
            }
        };
    }

    private FileChannel open() throws IOException {
        // Readable too: a shared (read) lock needs a channel open for reading.
        return FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    private static FileLock tryLock(FileChannel channel, boolean shared) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock(0, Long.MAX_VALUE, shared);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
        if (lock == null) {
            closeQuietly(channel);
        }
        return lock;
    }

    private void releaseShared() {
        synchronized (state) {
            if (--state.shared == 0) {
                closeQuietly(state.channel);
                state.channel = null;
                state.notifyAll();
            }
        }
    }

    private void releaseExclusive() {
        synchronized (state) {
            closeQuietly(state.channel);
            state.channel = null;
            state.exclusive = false;
            state.notifyAll();
        }
    }

    /** Closing the channel releases its OS lock. */
    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing more to do: the lock goes with the descriptor or the process.
            }
        }
    }

    /** This JVM's users of one lock file; guarded by its own monitor. */
    private static final class State {
        int shared;
        boolean exclusive;
        FileChannel channel;
    }
}
