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
import java.util.HexFormat;

/**
 * The live users of a store: every process (or engine) working in it holds an exclusive OS file lock on a marker
 * file of its own, {@code <dir>/<random>.lock}, for as long as it works. A marker whose lock is free belongs to a
 * process that died (a {@code kill -9}), because the kernel drops a dead process's locks.
 *
 * <p>This is what lets the next wharf command clean what a killed build left (active snapshots, staged files) without
 * ever touching the state of a live build: it cleans only when {@link #othersAlive} says nobody else is working.
 * Callers register and check under the store's {@link StoreLock}, so no user can register between the check and the
 * cleaning. Thread-safe; markers in one JVM are told apart by their own channels, so two engines in one JVM see each
 * other as alive.
 */
public final class StoreUsers {
    private static final String SUFFIX = ".lock";
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
            return new Registration(marker, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(marker);
            throw e;
        }
    }

    /**
     * Whether any user other than {@code self} (null: anyone) is alive. Markers of dead users are deleted on the way.
     */
    public boolean othersAlive(Registration self) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        boolean alive = false;
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path marker : markers) {
                if (self != null && marker.equals(self.marker)) {
                    continue;
                }
                if (isLocked(marker)) {
                    alive = true;
                } else {
                    Files.deleteIfExists(marker);
                }
            }
        }
        return alive;
    }

    /**
     * Whether another channel, in this JVM or another process, holds a lock on {@code marker}: its owner lives. A
     * missing file is not locked.
     */
    public static boolean isLocked(Path marker) throws IOException {
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
