package dev.wharf.context.sources;

import dev.wharf.context.ContextException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A build context that is a local directory, used in place; opening checks it is a directory and closing leaves it
 * alone. Immutable and thread-safe; may be opened any number of times.
 *
 * @param directory the context directory
 */
public record LocalDirectorySource(Path directory) implements BuildContextSource {

    public LocalDirectorySource {
        Objects.requireNonNull(directory, "directory");
    }

    /**
     * @throws ContextException with the docker CLI's wording when the directory does not exist
     */
    @Override
    public OpenedContext open() throws ContextException {
        if (!Files.isDirectory(directory)) {
            // cli/command/image/build.go: the default case of the context switch.
            throw new ContextException("unable to prepare context: path \"" + directory + "\" not found");
        }
        return OpenedContext.borrowed(directory);
    }
}
