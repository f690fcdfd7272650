package dev.wharf.grammar;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a Dockerfile is read from: the path given, or, when that is a missing file named {@code Dockerfile}, the
 * {@code dockerfile} beside it, as BuildKit's dockerui reads it (dockerui/config.go, moby/moby#10858). Stateless and
 * thread-safe.
 */
public final class DockerfileLocation {
    private DockerfileLocation() {
    }

    /** {@code file}, or its lowercase sibling when {@code file} is a missing {@code Dockerfile} and that exists. */
    public static Path resolve(Path file) {
        if (file.getFileName() == null || !file.getFileName().toString().equals("Dockerfile") || Files.exists(file)) {
            return file;
        }
        Path lower = file.resolveSibling("dockerfile");
        return Files.isRegularFile(lower) ? lower : file;
    }
}
