package dev.wharf.layers.layout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement: write a temp file, fsync it, rename it over the target, fsync the directory.
 *
 * <p>Readers of the target see either the old or the new content, never a torn file. Stateless, thread-safe.
 * Concurrent replacers of one target must still serialize with a {@link StoreLock} if they read-modify-write.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Creates a new empty file in {@code dir} named {@code prefix + random + suffix}, with the mode any new file gets
     * (0666 less the process's umask), to be renamed over its target once written.
     *
     * <p>{@link Files#createTempFile} makes owner-only files, so an image tarball or an index renamed from one would
     * be unreadable to other users, where {@code docker save -o} and BuildKit's exporters leave 0644 (umask 022).
     */
    public static Path newTempFile(Path dir, String prefix, String suffix) throws IOException {
        while (true) {
            Path candidate = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                    + suffix);
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                // Another writer picked the same name: draw again.
            }
        }
    }

    /**
     * Replaces {@code target} with {@code content}, staging the temp file in {@code stagingDir}.
     *
     * @param stagingDir a directory on the same filesystem as {@code target}, e.g. {@link OciLayout#ingestDir()}
     */
    public static void replace(Path target, byte[] content, Path stagingDir) throws IOException {
        replace(target, content, stagingDir, null);
    }

    /**
     * Replaces {@code target} with {@code content} as {@link #replace(Path, byte[], Path)} does, the file having
     * {@code permissions} (set before the rename, whatever the umask) instead of the temp file's owner-only mode.
     */
    public static void replace(Path target, byte[] content, Path stagingDir, Set<PosixFilePermission> permissions)
            throws IOException {
        write(target, content, stagingDir, Files.createTempFile(stagingDir, target.getFileName() + "-", ".tmp"),
                permissions);
    }

    /**
     * Replaces {@code target} with {@code content} as {@link #replace(Path, byte[], Path)} does, the file having the
     * mode any new file gets (0666 less the umask): for files handed to users and other tools (an exported OCI
     * layout's {@code index.json}), where store-internal files stay owner-only.
     */
    public static void replaceShared(Path target, byte[] content, Path stagingDir) throws IOException {
        write(target, content, stagingDir, newTempFile(stagingDir, target.getFileName() + "-", ".tmp"), null);
    }

    private static void write(Path target, byte[] content, Path stagingDir, Path temp,
                              Set<PosixFilePermission> permissions) throws IOException {
        try {
            if (permissions != null) {
                Files.setPosixFilePermissions(temp, permissions);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot atomically replace " + target + ": " + stagingDir
                        + " is on a different filesystem", e);
            }
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Flushes a directory's entries (new names, renames) to disk, so a crash cannot lose a completed rename.
     * Filesystems that cannot open directories for reading (not Linux) are skipped silently.
     */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
            // Directory fsync is best effort where the platform does not support it; Linux does.
        }
    }
}
