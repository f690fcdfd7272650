package dev.wharf.builder.sandbox;

import dev.wharf.layers.layout.FileTrees;
import dev.wharf.layers.layout.StoreUsers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-run state directories under one root ({@code <root>/<id>}: bundle, mount point, marker files), each held by an
 * OS file lock for as long as its run lives. A directory whose lock is free belongs to a run whose JVM died; the
 * sweep deletes it. Nothing in it is ever mounted on the host: mounts happen inside the sandbox's mount namespace,
 * which disappears with its last process. Thread-safe.
 */
final class StateDirs {
    private static final String LOCK = ".lock";
    /** This process's pid namespace (its inode; 0 where /proc does not tell it), read once. */
    private static final long PID_NAMESPACE = RunOwners.current().orElse(0);
    /** How old a staging directory must be before a sweep takes it for a killed {@link #create}'s leftover. */
    static final Duration STAGING_GRACE = Duration.ofMinutes(1);
    private final Path root;
    private final SecureRandom random = new SecureRandom();

    StateDirs(Path root) throws SandboxException {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new SandboxException("cannot create the sandbox state directory " + this.root + ": "
                    + e.getMessage(), e);
        }
    }

    Path root() {
        return root;
    }

    /**
     * A new run directory with a fresh id of the form {@code wharf-<32 hex>} ({@link RunId}: this process's pid and
     * pid namespace, random digits and a check). It is made and locked under a staging name ({@code .new-<id>}) and then renamed,
     * so a sweep (of any process) never sees a run directory whose lock is not yet held; this JVM's sweeps skip it
     * from before it exists.
     */
    Held create() throws SandboxException {
        // The owner's pid is in the id: the id also names the run's cgroups, which outlive a JVM killed with
        // SIGKILL, and cgroups are shared by every store on the host; a sweep removes those whose owner is gone
        // (StaleCgroups), whichever store's state directory (or none) still tells of them.
        String id = RunId.create(ProcessHandle.current().pid(), PID_NAMESPACE, random);
        Path dir = root.resolve(id);
        Path staging = root.resolve(".new-" + id);
        // POSIX locks belong to the process: this JVM's sweeps must not probe its own run locks (closing the
        // probe's descriptor would free them), so they are recorded as held here before the directory exists.
        StoreUsers.heldHere(dir.resolve(LOCK));
        FileChannel channel = null;
        try {
            Files.createDirectory(staging);
            channel = FileChannel.open(staging.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            return new Held(id, dir, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            StoreUsers.releasedHere(dir.resolve(LOCK));
            try {
                FileTrees.delete(staging);
            } catch (IOException ignored) {
                // Nothing was started in it; a leftover staging directory holds no state.
            }
            throw new SandboxException("cannot create a sandbox state directory in " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Ids of run directories whose owner is gone; their directories are deleted. A run directory is dead when its
     * lock is free, or when it has no lock file at all: {@link #create} makes the lock under the staging name, so a
     * run directory never lacks one while it lives, and only a deletion that was cut short (a killed JVM, in
     * {@link Held#close} or in a sweep) leaves it without, a directory no lock can ever mark alive again. One
     * directory that cannot be deleted (a process of a killed run still writing into it) does not stop the sweep;
     * it is taken up again by the next one.
     */
    List<String> sweep() {
        List<String> swept = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(root, "wharf-*")) {
            found.forEach(dirs::add);
        } catch (IOException e) {
            return swept; // A sweep is best effort; the next start tries again.
        }
        for (Path dir : dirs) {
            Path lockFile = dir.resolve(LOCK);
            if (StoreUsers.isHeldHere(lockFile) || !Files.isDirectory(dir)) {
                continue;
            }
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                 FileLock lock = channel.tryLock()) {
                if (lock != null) {
                    delete(dir, swept);
                }
            } catch (OverlappingFileLockException e) {
                // Held by a run in this JVM.
            } catch (NoSuchFileException e) {
                if (Files.isDirectory(dir)) {
                    delete(dir, swept);
                }
            } catch (IOException e) {
                // Unreadable lock: left for the next sweep.
            }
        }
        sweepStaging();
        return swept;
    }

    /**
     * Deletes staging directories ({@code .new-<id>}) that a JVM killed inside {@link #create} left behind. No run
     * ever started in one, so it holds no state to report; but a live {@code create} holds its staging name, unlocked
     * for an instant, between making it and taking its lock, so only one older than {@link #STAGING_GRACE} goes.
     */
    private void sweepStaging() {
        List<Path> staged = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(root, ".new-wharf-*")) {
            found.forEach(staged::add);
        } catch (IOException e) {
            return;
        }
        long oldest = System.currentTimeMillis() - STAGING_GRACE.toMillis();
        for (Path dir : staged) {
            try {
                if (Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toMillis() < oldest) {
                    FileTrees.delete(dir);
                }
            } catch (IOException e) {
                // Gone already, or not deletable now: the next sweep tries again.
            }
        }
    }

    /**
     * Deletes a dead run's directory and adds its id to {@code swept} (whose runtime state and cgroup the caller
     * removes), also when the directory cannot be deleted now.
     */
    private static void delete(Path dir, List<String> swept) {
        swept.add(dir.getFileName().toString());
        try {
            deleteRun(dir);
        } catch (IOException e) {
            // Still written to by a straggler of its dead run; dead all the same at the next sweep, lock file or not.
        }
    }

    /**
     * Deletes a run directory, its lock file last: a deletion cut short (a killed JVM) then leaves a directory whose
     * lock is free, which every sweep takes for dead, rather than one without a lock file; and while the owner
     * deletes, others see the lock held and keep off.
     */
    private static void deleteRun(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals(LOCK)) {
                    FileTrees.delete(entry);
                }
            }
        } catch (NoSuchFileException e) {
            return;
        }
        Files.deleteIfExists(dir.resolve(LOCK));
        Files.deleteIfExists(dir);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing else to release.
            }
        }
    }

    /** One run's directory and the lock that marks it alive. Close deletes the directory. Not thread-safe. */
    static final class Held implements AutoCloseable {
        private final String id;
        private final Path dir;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(String id, Path dir, FileChannel channel, FileLock lock) {
            this.id = id;
            this.dir = dir;
            this.channel = channel;
            this.lock = lock;
        }

        String id() {
            return id;
        }

        Path dir() {
            return dir;
        }

        @Override
        public void close() throws SandboxException {
            try {
                deleteRun(dir);
            } catch (IOException e) {
                throw new SandboxException("cannot delete sandbox state " + dir + ": " + e.getMessage()
                        + "; it is swept at the next start", e);
            } finally {
                try {
                    lock.release();
                } catch (IOException ignored) {
                    // Closing the channel releases it too.
                }
                closeQuietly(channel);
                StoreUsers.releasedHere(dir.resolve(LOCK));
            }
        }
    }
}
