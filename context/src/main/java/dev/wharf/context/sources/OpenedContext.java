package dev.wharf.context.sources;

import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
    private final String dockerfileName; // null: the build's choice
    private boolean closed;

    private OpenedContext(Path root, Path owned, String dockerfileName) {
        this.root = root;
        this.owned = owned;
        this.dockerfileName = dockerfileName;
    }

    /** A context that is a directory the caller owns; close does nothing. */
    public static OpenedContext borrowed(Path root) {
        return new OpenedContext(root, null, null);
    }

    /**
     * A context whose root lies in {@code temporary} (the same directory or below it), deleted on close.
     */
    static OpenedContext owned(Path root, Path temporary) {
        return new OpenedContext(root, temporary, null);
    }

    /**
     * A context whose one file {@code dockerfileName} is the Dockerfile whatever the build asked for: BuildKit's
     * rule for a remote URL that is not an archive (dockerui/context.go sets the filename to it).
     */
    static OpenedContext ownedWithDockerfile(Path root, Path temporary, String dockerfileName) {
        return new OpenedContext(root, temporary, dockerfileName);
    }

    /** The name of the Dockerfile inside the root when the source fixes it, else empty. */
    public Optional<String> dockerfileName() {
        return Optional.ofNullable(dockerfileName);
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
            FileTrees.delete(owned);
            closed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary context " + owned + ": " + e.getMessage(), e);
        }
    }
}
