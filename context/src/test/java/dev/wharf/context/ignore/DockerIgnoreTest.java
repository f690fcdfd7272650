package dev.wharf.context.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerIgnoreTest {

    @TempDir
    Path ctx;

    @Test
    void contextDockerignore_isUsedByDefault() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "*.log\n");
        assertEquals(List.of("*.log"), DockerIgnore.patterns(ctx, Optional.of(ctx.resolve("Dockerfile"))));
        assertEquals(List.of("*.log"), DockerIgnore.patterns(ctx, Optional.empty()));
    }

    @Test
    void dockerfileSpecificIgnoreFile_takesPrecedence() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "*.log\n");
        Path dir = Files.createDirectories(ctx.resolve("build"));
        Files.writeString(dir.resolve("app.Dockerfile.dockerignore"), "tmp\n!tmp/keep\n");
        assertEquals(List.of("tmp", "!tmp/keep"),
                DockerIgnore.patterns(ctx, Optional.of(dir.resolve("app.Dockerfile"))));
    }

    /**
     * buildx 0.13.1 (and docker 20.10) on dockerd 26's BuildKit: an empty Dockerfile.dockerignore beside a
     * .dockerignore of {@code *.log} sends b.log, so the empty file wins and excludes nothing.
     */
    @Test
    void emptyDockerfileSpecificIgnoreFile_overridesContextDockerignore() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "*.log\n");
        Files.writeString(ctx.resolve("Dockerfile.dockerignore"), "");
        assertEquals(Optional.of(ctx.resolve("Dockerfile.dockerignore")),
                DockerIgnore.locate(ctx, Optional.of(ctx.resolve("Dockerfile"))));
        assertEquals(List.of(), DockerIgnore.patterns(ctx, Optional.of(ctx.resolve("Dockerfile"))));
    }

    @Test
    void noIgnoreFile_meansNoPatterns() throws Exception {
        assertEquals(List.of(), DockerIgnore.patterns(ctx, Optional.of(ctx.resolve("Dockerfile"))));
        assertEquals(Optional.empty(), DockerIgnore.locate(ctx, Optional.empty()));
    }
}
