package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache started from a stage, filled path by path, ends as a copy of the whole stage would: what a RUN deleted or
 * wrote under a path already filled stays as the RUN left it when a wider path is filled later, the parents of a
 * path come with the stage's modes, hard links stay links. Real files, no sandbox (runs without root).
 */
class CacheFillsTest {
    @TempDir
    Path temp;

    Path stage;
    Path cache;
    CopySources sources;
    PosixFiles posix;

    @BeforeEach
    void setUp() throws Exception {
        stage = temp.resolve("stage");
        Files.createDirectories(stage.resolve("d/a"));
        Files.createDirectories(stage.resolve("d/b"));
        Files.writeString(stage.resolve("d/a/f"), "A");
        Files.createLink(stage.resolve("d/a/g"), stage.resolve("d/a/f"));
        Files.writeString(stage.resolve("d/b/f"), "B");
        Files.writeString(stage.resolve("d/file"), "F");
        Files.writeString(stage.resolve("top"), "T");
        Files.setPosixFilePermissions(stage.resolve("d"), PosixFilePermissions.fromString("rwx--x---"));
        sources = CopySources.stage(stage, Clock.systemUTC());
        cache = Files.createDirectories(temp.resolve("caches")).resolve("c");
        posix = PosixFiles.system();
    }

    @Test
    void laterWiderFills_addOnlyWhatIsMissing() throws Exception {
        CacheFills fills = new CacheFills(posix, cache);
        fills.fill(sources, "d/a", Optional.empty());
        assertEquals(List.of("d", "d/a", "d/a/f", "d/a/g"), tree());
        assertEquals("rwx--x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.resolve("d"))),
                "a parent made as the stage has it");
        assertEquals(Files.getAttribute(cache.resolve("d/a/f"), "unix:ino"),
                Files.getAttribute(cache.resolve("d/a/g"), "unix:ino"));

        // What RUNs did through source=/d/a: one file deleted, one written.
        Files.delete(cache.resolve("d/a/g"));
        Files.writeString(cache.resolve("d/a/new"), "N");
        fills.fill(sources, "d/file", Optional.empty());
        fills.fill(sources, "", Optional.empty());
        assertEquals(List.of("d", "d/a", "d/a/f", "d/a/new", "d/b", "d/b/f", "d/file", "top"), tree());
        assertFalse(Files.exists(cache.resolve("d/a/g")), "a deleted file does not come back");

        // The whole state is filled: later fills copy nothing, not even what the cache lost since.
        Files.delete(cache.resolve("top"));
        fills.fill(sources, "top", Optional.empty());
        assertFalse(Files.exists(cache.resolve("top")));
        assertEquals(List.of("/"), Files.readAllLines(cache.resolveSibling("c.filled")));
    }

    @Test
    void aMissingPath_isLeftToTheMount_orMadeByTheGivenMaker() throws Exception {
        CacheFills fills = new CacheFills(posix, cache);
        fills.fill(sources, "nope", Optional.empty());
        assertFalse(Files.exists(cache.resolve("nope")));
        fills.fill(sources, "cache", Optional.of(Files::createDirectory));
        assertTrue(Files.isDirectory(cache.resolve("cache")));
        assertEquals(List.of("cache"), tree());
    }

    @Test
    void aCacheDirectoryRemovedByHand_isFilledAgain_despiteItsRecord() throws Exception {
        CacheFills fills = new CacheFills(posix, cache);
        fills.fill(sources, "d/a", Optional.empty());
        try (Stream<Path> walk = Files.walk(cache)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(Files.exists(cache.resolveSibling("c.filled")), "the record outlives the directory");
        fills.fill(sources, "d/a", Optional.empty());
        assertEquals(List.of("d", "d/a", "d/a/f", "d/a/g"), tree());
    }

    private List<String> tree() throws Exception {
        try (Stream<Path> walk = Files.walk(cache)) {
            return walk.filter(p -> !p.equals(cache)).map(p -> cache.relativize(p).toString()).sorted().toList();
        }
    }
}
