package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.FileStat;
import dev.wharf.context.walk.FileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ContextSnapshot#forEachStat}: each path once, in fsutil's walk order (a directory's subtree right after it,
 * before siblings whose names sort after it only by the separator: {@code a-b}, {@code a.txt}), without the root,
 * with what survives the exclusions, from the Java walk and from the native scan alike.
 */
class SnapshotStatsTest {
    @TempDir
    Path tmp;
    private Path root;

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectory(tmp.resolve("ctx"));
        Files.createDirectories(root.resolve("a/sub"));
        Files.createDirectories(root.resolve("empty"));
        for (String f : new String[] {"a/x", "a/sub/deep", "a-b", "a.txt", "a0", "b.log", "z"}) {
            Files.writeString(root.resolve(f), f);
        }
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/x"));
    }

    private static List<String> visited(ContextSnapshot snapshot) {
        List<String> out = new ArrayList<>();
        snapshot.forEachStat(s -> out.add(s.path() + (s.type() == FileType.DIRECTORY ? "/" : "")
                + (s.linkTarget().isEmpty() ? "" : " -> " + s.linkTarget())));
        return out;
    }

    @Test
    void visitsEachPathOnce_inWalkOrder_withoutTheRootOrTheExcluded() throws Exception {
        List<String> all = List.of("a/", "a/sub/", "a/sub/deep", "a/x", "a-b", "a.txt", "a0", "b.log", "empty/",
                "link -> a/x", "z");
        assertEquals(all, visited(ContextSnapshot.scan(root, PatternMatcher.of(List.of()))));
        assertEquals(List.of("a/", "a/x", "a-b", "a.txt", "a0", "empty/", "link -> a/x", "z"),
                visited(ContextSnapshot.scan(root, PatternMatcher.of(List.of("*.log", "a/sub")))));
        // An excluded directory is reported before what an exception re-includes in it, as fsutil's walk does.
        assertEquals(List.of("a/", "a/x", "a-b", "a.txt", "a0", "b.log", "empty/", "link -> a/x", "z"),
                visited(ContextSnapshot.scan(root, PatternMatcher.of(List.of("a", "!a/x")))));
    }

    @Test
    void theNativeScan_visitsTheSameStats() throws Exception {
        ContextFixture.assumeScanHelperPackaged();
        ChecksumCache cache = ChecksumCache.persistent(tmp.resolve("cache"), 1000);
        List<FileStat> java = new ArrayList<>();
        ContextSnapshot.scan(root, PatternMatcher.of(List.of("*.log"))).forEachStat(java::add);
        List<FileStat> scanned = new ArrayList<>();
        ContextSnapshot.scan(root, PatternMatcher.of(List.of("*.log")), cache, 0).forEachStat(scanned::add);
        assertEquals(java, scanned);
        assertEquals(10, scanned.size());
    }
}
