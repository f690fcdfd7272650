package dev.wharf.context.ignore;

import dev.wharf.context.ContextException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds and reads the ignore file of a build the way BuildKit's Dockerfile front end does
 * (frontend/dockerui/config.go): {@code <dockerfile>.dockerignore} beside the Dockerfile wins, otherwise the
 * context's {@code .dockerignore}. The ignore file and the Dockerfile are always read for the build even when
 * they match the patterns; the patterns only filter what COPY and ADD see. Stateless.
 */
public final class DockerIgnore {

    /** The context-root ignore file name (dockerui.DefaultDockerignoreName). */
    public static final String DEFAULT_NAME = ".dockerignore";

    private DockerIgnore() {
    }

    /**
     * The ignore file that applies, if any.
     *
     * @param contextDir the build context directory
     * @param dockerfile the Dockerfile (may lie outside the context), or empty when it is read from elsewhere
     */
    public static Optional<Path> locate(Path contextDir, Optional<Path> dockerfile) throws ContextException {
        if (dockerfile.isPresent()) {
            Path d = dockerfile.get();
            Path custom = d.resolveSibling(d.getFileName() + DEFAULT_NAME);
            // An empty one still wins: BuildKit's built-in front end reads it as a non-nil empty slice, so
            // dockerui never falls back to .dockerignore and nothing is excluded (dockerd 26 / BuildKit 0.13,
            // through buildx 0.13.1 and docker 20.10 alike). Only an external front end image, whose gRPC reply
            // turns the empty bytes into nil, would fall back; wharf is the built-in one.
            if (Files.isRegularFile(custom)) {
                return Optional.of(custom);
            }
        }
        Path standard = contextDir.resolve(DEFAULT_NAME);
        return Files.isRegularFile(standard) ? Optional.of(standard) : Optional.empty();
    }

    /** The exclude patterns of the build: those of {@link #locate}'s file, or none. */
    public static List<String> patterns(Path contextDir, Optional<Path> dockerfile) throws ContextException {
        Optional<Path> file = locate(contextDir, dockerfile);
        if (file.isEmpty()) {
            return List.of();
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file.get());
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new ContextException("failed to read " + file.get().getFileName() + ": " + e.getMessage(), e);
        }
        return IgnoreFile.parse(file.get().getFileName().toString(), content);
    }
}
