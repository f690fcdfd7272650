package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The temporary directory a context source fills (an extraction, a clone, a download): created under the work
 * directory, and deleted when filling it fails. Stateless and thread-safe.
 */
final class TempContexts {

    /** What fills a temporary directory and returns the opened context. */
    @FunctionalInterface
    interface Filler {
        OpenedContext fill(Path temp) throws ContextException;
    }

    private TempContexts() {
    }

    /**
     * Creates {@code workDir/<prefix>...}, fills it, and deletes it again if filling throws.
     *
     * @throws ContextException when the directory cannot be created or filling fails
     */
    static OpenedContext open(Path workDir, String prefix, Filler filler) throws ContextException {
        Path temp;
        try {
            Files.createDirectories(workDir);
            temp = Files.createTempDirectory(workDir, prefix);
        } catch (IOException e) {
            throw new ContextException("cannot create a temporary context directory under " + workDir + ": "
                    + e.getMessage() + " (check the work directory's permissions and free space)", e);
        }
        try {
            return filler.fill(temp);
        } catch (ContextException | RuntimeException e) {
            try {
                FileTrees.delete(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
