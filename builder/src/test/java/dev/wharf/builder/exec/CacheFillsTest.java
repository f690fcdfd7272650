package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void aFillInterruptedMidFile_leavesNoTruncatedFile_andIsRedoneWhole() throws Exception {
        CacheFills fills = new CacheFills(posix, cache);
        // What a killed fill of d/a leaves since fills stage each new entry: the directory of the first fill made,
        // a staged copy of a file cut off mid-write, no record.
        Files.createDirectories(cache.resolve("d/a"));
        Path partial = cache.resolve("d/a/" + TreeCopies.STAGING_PREFIX + "1234");
        Files.writeString(partial, "trunc");
        fills.fill(sources, "d/a", Optional.empty());
        assertEquals(List.of("d", "d/a", "d/a/f", "d/a/g"), tree(), "the leftover is gone, the files are whole");
        assertEquals("A", Files.readString(cache.resolve("d/a/f")));
        assertEquals(List.of("/d/a"), Files.readAllLines(cache.resolveSibling("c.filled")));
    }

    @Test
    void aMergeCancelledHalfway_leavesOnlyWholeEntries_andTheNextFillCompletesIt() throws Exception {
        Path big = Files.createDirectories(temp.resolve("big/dir"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(big.resolve("f" + i), "content " + i);
        }
        Path into = Files.createDirectories(temp.resolve("into"));
        int[] seen = {0};
        // Interrupted as a cancelled build is, after some entries: the merge stops by throwing.
        assertThrows(java.io.InterruptedIOException.class, () -> TreeCopies.merge(posix, big.getParent(), into,
                p -> {
                    if (++seen[0] == 10) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }));
        assertTrue(Thread.interrupted(), "the flag stays set");
        try (Stream<Path> walk = Files.walk(into)) {
            assertEquals(List.of(into), walk.toList(), "nothing half-made under a real name");
        }
        Path stray = Files.writeString(into.resolve(TreeCopies.STAGING_PREFIX + "x"), "half");
        TreeCopies.merge(posix, big.getParent(), into, p -> false);
        assertFalse(Files.exists(stray));
        for (int i = 0; i < 50; i++) {
            assertEquals("content " + i, Files.readString(into.resolve("dir/f" + i)));
        }
    }

    @Test
    void aMergeStoppedMidTree_isRenamedIntoPlaceWhole_orNotAtAll() throws Exception {
        Path src = Files.createDirectories(temp.resolve("src/dir"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(src.resolve("f" + i), "x" + i);
        }
        Path into = Files.createDirectories(temp.resolve("into2"));
        int[] calls = {0};
        assertThrows(IllegalStateException.class, () -> TreeCopies.merge(posix, src.getParent(), into, p -> {
            if (++calls[0] == 10) {
                throw new IllegalStateException("killed"); // a failure after some files of dir were staged
            }
            return false;
        }));
        try (Stream<Path> list = Files.list(into)) {
            assertEquals(List.of(), list.toList(), "neither a partial dir nor its staged copy");
        }
    }

    @Test
    void aNamedLocalContext_fillsWithoutItsIgnoredFiles_andOwnedByRoot() throws Exception {
        Path ctx = Files.createDirectories(temp.resolve("ctx/sub"));
        Files.writeString(ctx.resolve("keep"), "K");
        Files.writeString(ctx.resolve("secret.key"), "S");
        Files.writeString(ctx.getParent().resolve(".dockerignore"), "**/*.key\n");
        CopySources context = CopySources.context(ctx.getParent(), true, Optional.empty(), Clock.systemUTC());
        boolean root = RunMounts.EFFECTIVE_ROOT;
        if (root) {
            Files.setAttribute(ctx.resolve("keep"), "unix:uid", 1234);
            Files.setAttribute(ctx, "unix:gid", 4321);
        }
        new CacheFills(posix, cache).fill(context, "", Optional.empty());
        assertEquals(List.of(".dockerignore", "sub", "sub/keep"), tree());
        if (root) {
            for (String p : List.of("", "sub", "sub/keep")) {
                assertEquals(0, Files.getAttribute(cache.resolve(p), "unix:uid"), p);
                assertEquals(0, Files.getAttribute(cache.resolve(p), "unix:gid"), p);
            }
        }
        try (Stream<Path> list = Files.list(cache.getParent())) {
            assertEquals(List.of("c", "c.fill.lock", "c.filled"),
                    list.map(p -> p.getFileName().toString()).sorted().toList(), "no context copy left beside it");
        }
    }

    @Test
    void aSocketOfTheStage_isLeftOut_withoutFailingTheFill() throws Exception {
        Path socket = stage.resolve("d/agent.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            CacheFills fills = new CacheFills(posix, cache);
            fills.fill(sources, "d/b", Optional.empty());
            fills.fill(sources, "d", Optional.empty()); // the socket is then an entry of a directory already there
        }
        assertEquals(List.of("d", "d/a", "d/a/f", "d/a/g", "d/b", "d/b/f", "d/file"), tree());
    }

    private List<String> tree() throws Exception {
        try (Stream<Path> walk = Files.walk(cache)) {
            return walk.filter(p -> !p.equals(cache)).map(p -> cache.relativize(p).toString()).sorted().toList();
        }
    }
}
