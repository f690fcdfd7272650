package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfinedPathsTest {
    @TempDir
    Path temp;

    @Test
    void symlinks_resolveInsideTheRoot_absoluteFromItAndDotDotStoppingAtIt() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root"));
        Files.createDirectories(root.resolve("docker"));
        Files.writeString(root.resolve("docker/Dockerfile.java"), "FROM a\n");
        Files.createSymbolicLink(root.resolve("relative"), Path.of("docker/Dockerfile.java"));
        Files.createSymbolicLink(root.resolve("absolute"), Path.of("/docker/Dockerfile.java"));
        Files.createSymbolicLink(root.resolve("climbing"), Path.of("../../../docker/Dockerfile.java"));
        Files.createSymbolicLink(root.resolve("dir"), Path.of("/docker"));
        Files.createSymbolicLink(root.resolve("chain"), Path.of("dir/../relative"));
        Path inside = root.resolve("docker/Dockerfile.java");
        assertEquals(inside, ConfinedPaths.resolve(root, "relative"));
        assertEquals(inside, ConfinedPaths.resolve(root, "absolute"));
        assertEquals(inside, ConfinedPaths.resolve(root, "climbing"));
        assertEquals(inside, ConfinedPaths.resolve(root, "dir/Dockerfile.java"));
        assertEquals(inside, ConfinedPaths.resolve(root, "/chain"));
        assertEquals(root.resolve("missing/x"), ConfinedPaths.resolve(root, "missing/./x"));
    }

    @Test
    void aLinkOutOfTheRoot_landsInsideIt_andALoopFails() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root"));
        Path outside = Files.writeString(temp.resolve("secret"), "host file\n");
        Files.createSymbolicLink(root.resolve("Dockerfile"), outside);
        Files.createSymbolicLink(root.resolve("up"), Path.of("../secret"));
        assertEquals(root.resolve(outside.toString().substring(1)), ConfinedPaths.resolve(root, "Dockerfile"));
        assertEquals(root.resolve("secret"), ConfinedPaths.resolve(root, "up"));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        IOException e = assertThrows(IOException.class, () -> ConfinedPaths.resolve(root, "loop"));
        assertEquals("loop: too many levels of symbolic links", e.getMessage());
    }
}
