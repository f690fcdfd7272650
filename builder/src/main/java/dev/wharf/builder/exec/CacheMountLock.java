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
 * <p>A prune removes an unused cache under its exclusive lock and retires the lock file with it ({@link #retire}):
 * it writes a byte into the file, which users only ever open empty, and unlinks it before unlocking. A user that
 * opened the file before the unlink and gets its lock after sees the byte and opens the path again, so no two users
 * ever hold locks of different files for one cache. A retired file still at its path (a prune killed between the
 * byte and the unlink) is unlinked by the next user that finds it locked by nobody.
 *
 * <p>A lock made with {@link #ofCache} marks the lock file's time at each start and end of a use: a cache's last use,
 * by which prune orders and ages caches ({@link CacheMountPrune}). Only while this JVM holds no lock of the file, or
 * as it releases its last: setting a file's times opens and closes a descriptor of it, which drops every record lock
 * the process holds on it (a prune in another process then deleted a cache a step was using).
 *
 * <p>Thread-safe.
 */
final class CacheMountLock {
    /** This JVM's users of each lock file, by absolute path; one small entry per cache ever mounted. */
    private static final ConcurrentMap<Path, State> STATES = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final State state;
    private final boolean marksUse;

    CacheMountLock(Path lockFile) {
        this(lockFile, false);
    }

    private CacheMountLock(Path lockFile, boolean marksUse) {
        this.lockFile = lockFile.toAbsolutePath().normalize();
        this.state = STATES.computeIfAbsent(this.lockFile, p -> new State());
        this.marksUse = marksUse;
    }

    /** The lock of a cache mount's directory, marking each use's start and end on the lock file. */
    static CacheMountLock ofCache(Path lockFile) {
        return new CacheMountLock(lockFile, true);
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
                markUse();
                FileChannel channel = acquire(true, false);
                if (channel == null) {
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
            markUse();
            FileChannel channel = acquire(false, false);
            if (channel == null) {
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
            markUse(); // no lock of this JVM yet: see the class comment
        }
        FileChannel channel;
        try {
            channel = acquire(false, true);
        } catch (IOException | RuntimeException e) {
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

    /**
     * Retires the lock file of a cache this JVM holds alone ({@link #tryExclusive}), before the hold is released:
     * see the class comment. The cache's directory must be gone already.
     */
    void retire() throws IOException {
        synchronized (state) {
            if (!state.exclusive || state.channel == null) {
                throw new IllegalStateException("retiring " + lockFile + " without holding it alone");
            }
            state.channel.write(java.nio.ByteBuffer.wrap(new byte[] {'x'}), 0);
            java.nio.file.Files.deleteIfExists(lockFile);
        }
    }

    /**
     * Opens the lock file and locks it, waiting or not, or null when not waiting and someone holds it. A retired
     * file is let go and the path opened again; one found locked by nobody twice is a killed prune's and unlinked.
     */
    private FileChannel acquire(boolean shared, boolean wait) throws IOException {
        for (int attempt = 0; ; attempt++) {
            FileChannel channel = open();
            try {
                FileLock lock = wait ? channel.lock(0, Long.MAX_VALUE, shared)
                        : channel.tryLock(0, Long.MAX_VALUE, shared);
                if (lock == null) {
                    closeQuietly(channel);
                    return null;
                }
                if (channel.size() == 0) {
                    return channel;
                }
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
            closeQuietly(channel);
            if (attempt > 0) {
                unlinkRetired();
            }
        }
    }

    /** Unlinks the file at the lock's path if it is a retired one (a live one is always empty). */
    private void unlinkRetired() throws IOException {
        try {
            if (java.nio.file.Files.size(lockFile) > 0) {
                java.nio.file.Files.deleteIfExists(lockFile);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // Unlinked by its prune meanwhile.
        }
    }

    /**
     * Marks the lock file's time; called under the state's monitor while this JVM holds no lock of the file, or just
     * before it closes its last (the mark drops it a moment early; the monitor still keeps this JVM's users out).
     */
    private void markUse() {
        if (marksUse) {
            LastUse.markQuietly(lockFile);
        }
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

    private void releaseShared() {
        synchronized (state) {
            if (--state.shared == 0) {
                // Marked before the lock goes (marking drops it anyway): a prune that takes the lock next must see
                // this use's end, not its start, or it removes a cache used until a moment ago.
                markUse();
                closeQuietly(state.channel);
                state.channel = null;
                state.notifyAll();
            }
        }
    }

    private void releaseExclusive() {
        synchronized (state) {
            markUse(); // before the lock goes, as in releaseShared
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
