package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cache.PruneOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which cache mounts a prune removes, on real files with real locks (no sandbox: runs without root): by age, by
 * size, all; never one a step holds; the lock file retired so that a waiting step takes a new one. The builds that
 * fill and read caches are in {@link CacheMountPruneBuildTest}.
 */
class CacheMountPruneTest {
    @TempDir
    Path root;

    Path dir;
    Instant now = Instant.now();

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createDirectories(root.resolve(CacheMountPrune.DIRECTORY));
    }

    /** A cache of {@code bytes} bytes last used {@code age} ago, with a lock file as a use leaves it. */
    private Path cache(String name, int bytes, Duration age) throws Exception {
        Path c = Files.createDirectories(dir.resolve(name));
        Files.write(c.resolve("data"), new byte[bytes]);
        Path lock = Files.createFile(dir.resolve(name + ".lock"));
        FileTime t = FileTime.from(now.minus(age));
        for (Path p : List.of(c.resolve("data"), c, lock)) {
            Files.setLastModifiedTime(p, t);
        }
        return c;
    }

    private List<String> names() throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void until_removesTheCachesNotUsedForThatLong_withTheirRecords() throws Exception {
        cache("old", 10, Duration.ofHours(30));
        Files.writeString(dir.resolve("old.filled"), "/\n");
        Files.setLastModifiedTime(dir.resolve("old.filled"), FileTime.from(now.minus(Duration.ofHours(30))));
        cache("new", 10, Duration.ofHours(1));
        CacheMountPrune.Pruned pruned = CacheMountPrune.prune(root,
                new PruneOptions(false, Optional.of(Duration.ofHours(24)), OptionalLong.empty()), now,
                Optional.empty());
        assertEquals(List.of("old"), pruned.removed());
        assertEquals(List.of("new", "new.lock"), names());
        assertTrue(pruned.bytes() >= 10, "its bytes: " + pruned.bytes());
    }

    @Test
    void aFillRecordBeingReplaced_belongsToItsCache_notToACacheOfItsOwn() throws Exception {
        // CacheFills writes NAME.filled through AtomicFiles' temp file beside it; a prune must not move it away.
        cache("live", 10, Duration.ofHours(30));
        Path staged = Files.writeString(dir.resolve("live.filled-123.tmp"), "/\n");
        assertEquals("live", CacheMountPrune.cacheName("live.filled-123.tmp"));
        try (CacheMountLock.Held held = new CacheMountLock(dir.resolve("live.lock")).tryExclusive().orElseThrow()) {
            CacheMountPrune.Pruned pruned = CacheMountPrune.prune(root, PruneOptions.everything(), now,
                    Optional.empty());
            assertEquals(List.of(), pruned.removed());
            assertTrue(Files.exists(staged), "the fill's staged record");
        }
    }

    @Test
    void keepStorage_removesLeastRecentlyUsedFirst_untilTheRestFits() throws Exception {
        cache("a", 1000, Duration.ofHours(3));
        cache("b", 1000, Duration.ofHours(2));
        cache("c", 1000, Duration.ofHours(1));
        CacheMountPrune.Pruned pruned = CacheMountPrune.prune(root,
                new PruneOptions(false, Optional.empty(), OptionalLong.of(2000)), now, Optional.empty());
        assertEquals(List.of("a"), pruned.removed());
        assertEquals(2000, pruned.remaining());
        assertEquals(List.of("b", "b.lock", "c", "c.lock"), names());
    }

    @Test
    void all_keepsTheCacheAStepHolds_andRemovesOrphanedRecordsAndLeftovers() throws Exception {
        cache("held", 10, Duration.ofDays(3));
        cache("free", 10, Duration.ofMinutes(1));
        // Records of a cache whose directory is gone, a start directory and a pruned cache a killed process left.
        Files.writeString(dir.resolve("gone.filled"), "/x\n");
        Files.createDirectories(dir.resolve("new-123"));
        Files.createDirectories(dir.resolve("tmp-pruned-abc/x"));
        try (CacheMountLock.Held held = CacheMountLock.ofCache(dir.resolve("held.lock")).tryShared().orElseThrow()) {
            CacheMountPrune.Pruned pruned = CacheMountPrune.prune(root, PruneOptions.everything(), now,
                    Optional.empty());
            assertEquals(List.of("free", "gone"), pruned.removed());
            assertEquals(List.of("held", "held.lock"), names());
        }
    }

    @Test
    void leftoversOfALiveBuild_areKept() throws Exception {
        Files.createDirectories(dir.resolve("new-123"));
        CacheMountPrune.prune(root, PruneOptions.everything(), now, Optional.of(now.minusSeconds(60)));
        assertEquals(List.of("new-123"), names());
    }

    @Test
    void aUseSinceTheListing_marksTheLockFile_soAnAgePruneKeepsIt() throws Exception {
        cache("c", 10, Duration.ofDays(2));
        CacheMountLock.ofCache(dir.resolve("c.lock")).tryShared().orElseThrow().close();
        CacheMountPrune.Pruned pruned = CacheMountPrune.prune(root,
                new PruneOptions(false, Optional.of(Duration.ofHours(24)), OptionalLong.empty()), Instant.now(),
                Optional.empty());
        assertEquals(List.of(), pruned.removed(), "used just now");
    }

    @Test
    void aStepWaitingForAPrunedCache_takesANewLockFile_notTheRetiredOne() throws Exception {
        cache("c", 10, Duration.ofDays(2));
        Path lockFile = dir.resolve("c.lock");
        // A prune's hold and retirement, with a second JVM-side user waiting as another process would.
        CacheMountLock prune = new CacheMountLock(lockFile);
        CacheMountLock.Held held = prune.tryExclusive().orElseThrow();
        java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
        prune.retire();
        held.close();
        assertFalse(Files.exists(lockFile), "unlinked");
        assertEquals(1, other.size(), "the file a waiter opened before shows it was retired");
        other.close();
        // A retired file still at its path (a prune killed before the unlink) is not taken either.
        Files.writeString(lockFile, "x");
        try (CacheMountLock.Held user = CacheMountLock.ofCache(lockFile).tryShared().orElseThrow()) {
            assertEquals(0, Files.size(lockFile), "a new, empty lock file");
        }
    }

    @Test
    void aUse_keepsItsLockAgainstOtherProcesses_thoughItMarksTheLockFile() throws Exception {
        cache("c", 10, Duration.ofDays(2));
        Path lockFile = dir.resolve("c.lock");
        // Another process, as a prune in another wharf is, trying the lock alone without waiting.
        Path probe = root.resolve("Probe.java");
        Files.writeString(probe, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class Probe {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ,
                                StandardOpenOption.WRITE)) {
                            System.out.print(c.tryLock(0, Long.MAX_VALUE, false) == null ? "held" : "free");
                        }
                    }
                }
                """);
        try (CacheMountLock.Held held = CacheMountLock.ofCache(lockFile).tryShared().orElseThrow()) {
            assertEquals("held", probe(probe, lockFile), "a time mark must not drop this process's record lock");
        }
        assertEquals("free", probe(probe, lockFile));
        assertTrue(Files.getLastModifiedTime(lockFile).toInstant().isAfter(now.minusSeconds(60)), "marked");
    }

    private static String probe(Path source, Path lockFile) throws Exception {
        Path launcher = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(launcher.toString(), source.toString(), lockFile.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.trim();
    }
}
