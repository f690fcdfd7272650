package dev.wharf.layers.posix;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathPresenceTest {
    @TempDir
    Path tmp;

    @Test
    void absentPath_isNeitherPossibleNorSure() {
        Path missing = tmp.resolve("missing");
        assertFalse(PathPresence.mayExist(missing));
        assertFalse(PathPresence.surelyExists(missing));
    }

    @Test
    void pathBelowAFile_isAbsent_asENOTDIR() throws Exception {
        Path file = Files.createFile(tmp.resolve("file"));
        assertFalse(PathPresence.mayExist(file.resolve("child")));
        assertFalse(PathPresence.surelyExists(file.resolve("child")));
    }

    @Test
    void filesDirectoriesAndDanglingSymlinks_surelyExist() throws Exception {
        Path file = Files.createFile(tmp.resolve("file"));
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("nowhere"));
        for (Path p : new Path[] {file, dir, link}) {
            assertTrue(PathPresence.surelyExists(p), p.toString());
            assertTrue(PathPresence.mayExist(p), p.toString());
        }
    }
}
