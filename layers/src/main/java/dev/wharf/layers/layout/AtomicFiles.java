package dev.wharf.layers.layout;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
 * <p>Readers of the target see either the old or the new content, never a torn file. The content is a byte array
 * ({@link #replace}, {@link #replaceShared}) or streamed by the caller ({@link #replaceStreamed}, for archives and
 * blobs too large to hold in memory); {@link #replaceUnsynced} skips both fsyncs, for files whose loss in a power
 * failure the store recovers from. This class is the one implementation of that sequence: callers never hand-write
 * temp, fsync and rename. Stateless, thread-safe.
 * Concurrent replacers of one target must still serialize with a {@link StoreLock} if they read-modify-write.
 */
public final class AtomicFiles {
    private static final int MAX_PREFIX_BYTES = 200;
    /** At most 3 UTF-8 bytes a char (4 a surrogate pair), so a cut prefix is at most 192 bytes long. */
    private static final int SHORT_PREFIX_CHARS = 64;

    private AtomicFiles() {
    }

    /**
     * Writes a file's content to a stream; what {@link #replaceStreamed} calls once with the temp file's stream.
     *
     * @param <E> the checked exception the writer throws besides {@link IOException}
     */
    @FunctionalInterface
    public interface Content<E extends Exception> {
        /** Writes the whole content to {@code out}, which the caller flushes, syncs and closes after. */
        void writeTo(OutputStream out) throws IOException, E;
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
        write(target, content, stagingDir, Files.createTempFile(stagingDir, tempPrefix(target), ".tmp"),
                permissions, true);
    }

    /**
     * Replaces {@code target} with {@code content} through a temp file and an atomic rename as
     * {@link #replace(Path, byte[], Path)} does, but syncs neither the file nor the directory: a killed process
     * leaves the old or the new content, a power loss may leave the old content or an empty file. Only for files the
     * caller can do without after a power loss (a record of a snapshot that dies with its step, a hint that a sweep
     * rebuilds); an fsync costs milliseconds on a busy disk, on the path of every build step.
     */
    public static void replaceUnsynced(Path target, byte[] content, Path stagingDir) throws IOException {
        write(target, content, stagingDir, Files.createTempFile(stagingDir, tempPrefix(target), ".tmp"),
                null, false);
    }

    /**
     * Replaces {@code target} with {@code content} as {@link #replace(Path, byte[], Path)} does, the file having the
     * mode any new file gets (0666 less the umask): for files handed to users and other tools (an exported OCI
     * layout's {@code index.json}), where store-internal files stay owner-only.
     */
    public static void replaceShared(Path target, byte[] content, Path stagingDir) throws IOException {
        write(target, content, stagingDir, newTempFile(stagingDir, tempPrefix(target), ".tmp"), null, true);
    }

    /**
     * Replaces {@code target} with what {@code content} writes, streamed into a temp file beside it (a hidden name
     * starting with the target's, ending {@code .partial}), then fsync, atomic rename and fsync of the directory as
     * {@link #replace(Path, byte[], Path)} does. The file has the mode any new file gets (0666 less the umask), as a
     * file handed to users and other tools should (an exported tarball, a blob of an exported layout, where
     * {@code docker save -o} and BuildKit's exporters leave 0644), unless {@code permissions} is given; those are set
     * once the content is written, so a read-only mode works for a non-root writer too. If {@code content} throws,
     * the temp file is removed and {@code target} is left as it was.
     *
     * @param permissions the file's mode, or null for the mode of any new file
     */
    public static <E extends Exception> void replaceStreamed(Path target, Set<PosixFilePermission> permissions,
                                                             Content<E> content) throws IOException, E {
        Path dir = target.toAbsolutePath().getParent();
        write(target, dir, newTempFile(dir, "." + tempPrefix(target), ".partial"), permissions, true, out -> {
            // Callers write tar headers and small JSON files: buffered, they cost one write call per 64 KiB.
            OutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
            content.writeTo(buffered);
            buffered.flush();
        });
    }

    /**
     * The temp file's name prefix: the target's name, cut to {@value #SHORT_PREFIX_CHARS} characters when longer than
     * {@value #MAX_PREFIX_BYTES} bytes, so that with the random part and the suffix (up to ~25 more) it stays within
     * Linux's 255 bytes per name: a snapshot's metadata file (the hex of a key of up to 120 bytes, plus
     * {@code .json}) is 245 characters long.
     */
    private static String tempPrefix(Path target) {
        String name = target.getFileName().toString();
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_PREFIX_BYTES) {
            return name + "-";
        }
        int end = Character.isHighSurrogate(name.charAt(SHORT_PREFIX_CHARS - 1)) ? SHORT_PREFIX_CHARS - 1
                : SHORT_PREFIX_CHARS;
        return name.substring(0, end) + "-";
    }

    private static void write(Path target, byte[] content, Path stagingDir, Path temp,
                              Set<PosixFilePermission> permissions, boolean durable) throws IOException {
        write(target, stagingDir, temp, permissions, durable, out -> out.write(content));
    }

    private static <E extends Exception> void write(Path target, Path stagingDir, Path temp,
                                                    Set<PosixFilePermission> permissions, boolean durable,
                                                    Content<E> content) throws IOException, E {
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(unclosable(Channels.newOutputStream(channel)));
                if (durable) {
                    channel.force(true);
                }
            }
            if (permissions != null) {
                Files.setPosixFilePermissions(temp, permissions);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                moved = true;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot atomically replace " + target + ": " + stagingDir
                        + " is on a different filesystem", e);
            }
            if (durable) {
                fsyncDirectory(target.toAbsolutePath().getParent());
            }
        } finally {
            // Only when the move did not happen: after it the temp name is gone, and deleteIfExists of a missing
            // file costs java.nio an exception (three per RUN step: snapshot records, cache record, ids).
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * {@code out}, whose close only flushes: a writer that closes its stream must not close the channel before its
     * force.
     */
    private static OutputStream unclosable(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
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
