package dev.wharf.context.sources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * A build context made available as a local directory: {@link #root()} is the directory the build reads. When the
 * opening created a temporary directory (an extracted archive, a clone), {@link #close()} deletes it; a local
 * directory is never touched.
 *
 * <p>Not thread-safe to close concurrently; {@link #root()} is safe from any thread. Closing twice is harmless.
 */
public final class OpenedContext implements AutoCloseable {

    private final Path root;
    private final Path owned; // null: nothing to delete
    private boolean closed;

    private OpenedContext(Path root, Path owned) {
        this.root = root;
        this.owned = owned;
    }

    /** A context that is a directory the caller owns; close does nothing. */
    public static OpenedContext borrowed(Path root) {
        return new OpenedContext(root, null);
    }

    /**
     * A context whose root lies in {@code temporary} (the same directory or below it), deleted on close.
     */
    static OpenedContext owned(Path root, Path temporary) {
        return new OpenedContext(root, temporary);
    }

    /** The directory the build reads. */
    public Path root() {
        return root;
    }

    /** The temporary directory deleted on close, if any. */
    public Optional<Path> temporaryDirectory() {
        return Optional.ofNullable(owned);
    }

    /**
     * Deletes the temporary directory, if any.
     *
     * @throws UncheckedIOException when a file cannot be deleted (the rest is still attempted by a later close)
     */
    @Override
    public void close() {
        if (closed || owned == null) {
            return;
        }
        try {
            deleteTree(owned);
            closed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary context " + owned + ": " + e.getMessage(), e);
        }
    }

    /** Deletes {@code dir} and everything below it without following symlinks; a missing tree is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                // An extracted archive may hold read-only directories; their entries could not be removed.
                d.toFile().setWritable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
