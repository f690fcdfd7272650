package dev.wharf.layers.layout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live users of a store: every process (or engine) working in it holds an exclusive OS file lock on a marker
 * file of its own, {@code <dir>/<random>.lock}, for as long as it works. A marker whose lock is free belongs to a
 * process that died (a {@code kill -9}), because the kernel drops a dead process's locks.
 *
 * <p>This is what lets the next wharf command clean what a killed build left (active snapshots, staged files) without
 * ever touching the state of a live build: it cleans only when {@link #census} finds nobody else working.
 * Callers register and check under the store's {@link StoreLock}, so no user can register between the check and the
 * cleaning. Thread-safe; markers in one JVM are told apart by their own channels, so two engines in one JVM see each
 * other as alive.
 */
public final class StoreUsers {
    private static final String SUFFIX = ".lock";
    /**
     * The markers registered by this JVM. POSIX record locks belong to the process and closing any descriptor of a
     * file drops them all, so probing one of our own markers with a channel of its own would free the lock a live
     * registration holds; ours are answered from this set instead. Static because the locks are per process.
     */
    private static final Set<Path> OWN_MARKERS = ConcurrentHashMap.newKeySet();
    private final Path dir;
    private final SecureRandom random = new SecureRandom();

    /** Users recorded under {@code dir}, which is created on the first registration. */
    public StoreUsers(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** Registers a new user: its marker is locked until the returned registration is closed. */
    public Registration register() throws IOException {
        Files.createDirectories(dir);
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        Path marker = dir.resolve(HexFormat.of().formatHex(bytes) + SUFFIX);
        FileChannel channel = FileChannel.open(marker, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Registration registration = new Registration(marker, channel, channel.lock());
            OWN_MARKERS.add(marker);
            return registration;
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(marker);
            throw e;
        }
    }

    /**
     * What the markers tell of the users other than {@code self} (null: anyone): whether one is alive, and whether
     * one died without closing its registration (killed), whose marker this deletes on the way.
     */
    public Census census(Registration self) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new Census(false, false);
        }
        boolean alive = false;
        boolean dead = false;
        // Filtered by name, not by a glob, which compiles a regular expression per listing: a census runs twice as
        // every command opens its store (the store's users and the snapshot store's).
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(dir)) {
            for (Path marker : markers) {
                if (!marker.getFileName().toString().endsWith(SUFFIX)
                        || self != null && marker.equals(self.marker)) {
                    continue;
                }
                if (isLocked(marker)) {
                    alive = true;
                } else {
                    dead = true;
                    Files.deleteIfExists(marker);
                }
            }
        }
        return new Census(alive, dead);
    }

    /**
     * When the longest-running live user registered (its marker's modification time, set when it was created), or
     * empty when none is alive. A garbage collection keeps every blob committed since then: such a blob may belong to
     * a build still running, which has not yet named it in an image or cache record. Dead users' markers are left
     * for {@link #census}.
     */
    public Optional<Instant> oldestAliveSince() throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Instant oldest = null;
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path marker : markers) {
                try {
                    Instant since = Files.getLastModifiedTime(marker).toInstant();
                    if ((oldest == null || since.isBefore(oldest)) && isLocked(marker)) {
                        oldest = since;
                    }
                } catch (NoSuchFileException e) {
                    // Its user just closed.
                }
            }
        }
        return Optional.ofNullable(oldest);
    }

    /**
     * The users of a store other than the one asking, as {@link #census} found them.
     *
     * @param othersAlive whether another user is alive
     * @param deadFound whether the marker of a user that died without closing its registration was found (and
     *     deleted); a user whose marker was deleted by an earlier census is not counted again
     */
    public record Census(boolean othersAlive, boolean deadFound) {
    }

    /**
     * Records that this JVM holds (or is about to take) a lock on {@code lockFile}, so that {@link #isLocked} answers
     * true without probing it: a probe opens and closes a descriptor of the file, which frees this process's lock.
     */
    public static void heldHere(Path lockFile) {
        OWN_MARKERS.add(lockFile.toAbsolutePath().normalize());
    }

    /** Whether this JVM recorded {@code lockFile} with {@link #heldHere}: its lock must not be probed from here. */
    public static boolean isHeldHere(Path lockFile) {
        return OWN_MARKERS.contains(lockFile.toAbsolutePath().normalize());
    }

    /** Undoes {@link #heldHere} once the lock is released. */
    public static void releasedHere(Path lockFile) {
        OWN_MARKERS.remove(lockFile.toAbsolutePath().normalize());
    }

    /**
     * Whether another channel, in this JVM or another process, holds a lock on {@code marker}: its owner lives. A
     * missing file is not locked.
     */
    public static boolean isLocked(Path marker) throws IOException {
        if (isHeldHere(marker)) {
            return true;
        }
        try (FileChannel channel = FileChannel.open(marker, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock == null;
        } catch (OverlappingFileLockException e) {
            return true; // held by another user in this JVM
        } catch (NoSuchFileException e) {
            return false; // its user just closed
        }
    }

    /** One user's marker and lock; closing deletes the marker. Not thread-safe. */
    public static final class Registration implements AutoCloseable {
        private final Path marker;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean closed;

        private Registration(Path marker, FileChannel channel, FileLock lock) {
            this.marker = marker;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Files.deleteIfExists(marker);
                OWN_MARKERS.remove(marker);
                lock.release();
            } catch (IOException ignored) {
                // Closing the channel releases the lock; a leftover marker is deleted by the next check.
            } finally {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Nothing more to release.
                }
            }
        }
    }
}
