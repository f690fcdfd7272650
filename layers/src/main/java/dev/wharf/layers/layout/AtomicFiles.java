package dev.wharf.layers.layout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

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
        Path temp = Files.createTempFile(stagingDir, target.getFileName() + "-", ".tmp");
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
