package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import dev.wharf.context.ignore.PatternMatcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native scan of a context with .dockerignore patterns: its rows filtered by the walker's decisions must be
 * exactly those of the Java walk with the same patterns, give the same digests, and reuse a stored directory digest
 * only under the same patterns and path, across fresh cache instances (as across processes).
 */
class NativeScanExclusionsTest {

    /** A clock far in the future, so no test file counts as racily fresh. */
    private static final Clock LATER = Clock.fixed(Instant.parse("2200-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** .dockerignore files that exercise fsutil's walk: exceptions inside excluded directories, globs, slashes. */
    private static final List<List<String>> CASES = List.of(
            List.of("a/b", "!a/b/f2"),
            List.of("a", "!a/b/f1"),
            List.of("a", "!a/b"),
            List.of("d", "!d/e"),
            List.of("**/f1"),
            List.of("**", "!**/f2", "!d"),
            List.of("/d", "/z"),
            List.of("a/", "d/e/"),
            List.of("*", "!a", "!d/e/g"),
            List.of("*", "!*/b"),
            List.of("a/b/*", "!a/b/f1"),
            List.of("a/**", "!a/b/**"),
            List.of("**/*.b", "!a.b"),
            List.of("d/*/g", "a/[bc]", "?.b"),
            List.of("a/b/f?", "!a/b/f2", "a/b/f2"),
            List.of("node_modules", "**/node_modules", "!keep/node_modules/x/y.js"),
            List.of("*/"),
            List.of("**/e", "!d/e/deep/**"),
            List.of("a/b/f1", "a/b/f2"),
            List.of("!a", "z"));

    private static final List<String> SOURCES = List.of(".", "a", "a/b", "a/empty", "d", "d/e", "keep", "z");

    /** The context: excluded and re-included directories at several depths, node_modules twice, a UTF-8 name. */
    private static final String[] TREE = {"ADD a dir", "ADD a/b dir", "ADD a/b/f1 file one", "ADD a/b/f2 file two",
        "ADD a/c file three", "ADD a.b file dot", "ADD a/empty dir", "ADD z file last", "ADD link symlink a/b/f1",
        "ADD d dir", "ADD d/e dir", "ADD d/e/g file deep", "ADD d/e/deep dir", "ADD d/e/deep/h file deeper",
        "ADD keep dir", "ADD keep/node_modules dir", "ADD keep/node_modules/x dir",
        "ADD keep/node_modules/x/y.js file y", "ADD keep/node_modules/x/z.js file z", "ADD node_modules dir",
        "ADD node_modules/m file m", "ADD \u00e9t\u00e9 file utf8", "ADD .git dir", "ADD .git/HEAD file ref",
        "ADD .git/objects dir", "ADD .git/objects/o1 file obj", "ADD target dir", "ADD target/app.jar file jar",
        "ADD d/target dir", "ADD d/target/t file t"};

    /**
     * .dockerignore files whose excluded directories the scan leaves unlisted, or must not, with how many it
     * leaves: exceptions that reach into an excluded directory (it is walked) and that do not (it is pruned).
     */
    private static final List<Map.Entry<List<String>, Integer>> PRUNED = List.of(
            Map.entry(List.of("node_modules"), 1),
            Map.entry(List.of("**/node_modules"), 2),
            Map.entry(List.of("**/node_modules", "!keep/node_modules/x/y.js"), 1),
            Map.entry(List.of("node_modules", "keep/node_modules", "!keep/node_modules/x"), 1),
            Map.entry(List.of(".git", "target/", "a/b", "d/e/deep"), 4),
            Map.entry(List.of("**/target", "!d/target/t"), 1),
            Map.entry(List.of("**/target", "!d"), 1),
            Map.entry(List.of("node_modules", "!node_modules/m"), 0),
            Map.entry(List.of("node_modules", "!*.js"), 0),
            Map.entry(List.of("a", "!a/b/f1"), 0),
            Map.entry(List.of("**/e", "!d/e/deep/**"), 0),
            Map.entry(List.of("*", "!a"), 0),
            Map.entry(List.of("a/b", "a", "!a/c"), 1),
            Map.entry(List.of(".git", "!.git", "node_modules", "keep"), 2));

    @TempDir
    Path tmp;
    private Path cacheDir;
    private Path root;

    @BeforeEach
    void buildTheContext() throws Exception {
        ContextFixture.assumeScanHelperPackaged();
        cacheDir = tmp.resolve("cache");
        root = ContextFixture.build(Files.createDirectory(tmp.resolve("ctx")), TREE);
    }

    private static PatternMatcher patterns(List<String> lines) throws ContextException {
        return PatternMatcher.of(lines);
    }

    /** One build: a fresh cache instance on the directory (as a fresh process has), scan, checksum, persist. */
    private Digest build(PatternMatcher excludes) throws Exception {
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s = ContextSnapshot.scan(root, excludes, cache, 0);
        assertTrue(s.fingerprintSlot(ContextSnapshot.key("")) >= 0, "scanned by the helper");
        Digest d = new ContextChecksummer(cache, true, LATER).checksum(s, Selector.copySource(".", List.of()));
        cache.persist();
        return d;
    }

    /** What the Java walk and an empty in-memory cache give for the tree as it is now. */
    private Digest truth(PatternMatcher excludes) throws Exception {
        ContextSnapshot s = ContextSnapshot.scan(root, excludes);
        return new ContextChecksummer(ChecksumCache.inMemory(10_000), true, LATER).checksum(s,
                Selector.copySource(".", List.of()));
    }

    private static List<String> listing(ContextSnapshot s, String dir) {
        return ContextFixture.listing(s, dir);
    }

    @Test
    void filteredNativeRows_areTheJavaWalksRows_andGiveItsDigests_forEveryIgnoreCase() throws Exception {
        for (List<String> lines : CASES) {
            PatternMatcher excludes = patterns(lines);
            ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
            ContextSnapshot natively = ContextSnapshot.scan(root, excludes, cache, 0);
            ContextSnapshot java = ContextSnapshot.scan(root, excludes);
            assertTrue(natively.fingerprintSlot(ContextSnapshot.key("")) >= 0, lines + ": from the helper");
            assertEquals(java.size(), natively.size(), lines.toString());
            assertEquals(listing(java, "/"), listing(natively, "/"), lines.toString());
            for (String path : SOURCES) {
                Selector sel = Selector.copySource(path, List.of());
                if (java.lstat("/" + path).isEmpty() && !path.equals(".")) {
                    ContextException expected = org.junit.jupiter.api.Assertions.assertThrows(ContextException.class,
                            () -> new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER).checksum(java,
                                    sel));
                    ContextException actual = org.junit.jupiter.api.Assertions.assertThrows(ContextException.class,
                            () -> new ContextChecksummer(cache, true, LATER).checksum(natively, sel));
                    assertEquals(expected.getMessage(), actual.getMessage(), lines + " " + path);
                    continue;
                }
                Digest expected = new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER).checksum(java,
                        sel);
                assertEquals(expected, new ContextChecksummer(cache, true, LATER).checksum(natively, sel),
                        lines + " " + path);
                // Again, now from the directory digests just stored.
                assertEquals(expected, new ContextChecksummer(cache, true, LATER).checksum(natively, sel),
                        lines + " " + path + " (reused)");
            }
            cache.persist();
        }
        // And once more with every case's digests stored in the one cache: none leaks into another case.
        for (List<String> lines : CASES) {
            assertEquals(truth(patterns(lines)), build(patterns(lines)), lines.toString());
        }
    }

    /** The native rows of {@code natively} are the Java walk's, and every source's digest is its digest. */
    private void assertSameAsTheJavaWalk(List<String> lines, ContextSnapshot natively, ChecksumCache cache)
            throws Exception {
        PatternMatcher excludes = patterns(lines);
        ContextSnapshot java = ContextSnapshot.scan(root, excludes);
        assertTrue(natively.fingerprintSlot(ContextSnapshot.key("")) >= 0, lines + ": from the helper");
        assertEquals(java.size(), natively.size(), lines.toString());
        assertEquals(listing(java, "/"), listing(natively, "/"), lines.toString());
        for (String path : SOURCES) {
            if (java.lstat("/" + path).isEmpty() && !path.equals(".")) {
                continue;
            }
            Selector sel = Selector.copySource(path, List.of());
            Digest expected = new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER).checksum(java, sel);
            assertEquals(expected, new ContextChecksummer(cache, true, LATER).checksum(natively, sel),
                    lines + " " + path);
        }
    }

    @Test
    void excludedDirectoriesNoExceptionReaches_areLeftUnlisted_andTheRowsAreTheJavaWalks() throws Exception {
        for (Map.Entry<List<String>, Integer> c : PRUNED) {
            ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
            ContextSnapshot natively = ContextSnapshot.scan(root, patterns(c.getKey()), cache, 0);
            assertEquals(c.getValue(), natively.unlistedDirectories(), c.getKey() + ": directories left unlisted");
            assertSameAsTheJavaWalk(c.getKey(), natively, cache);
            cache.persist();
            assertEquals(truth(patterns(c.getKey())), build(patterns(c.getKey())), c.getKey() + " (reused)");
        }
    }

    @Test
    void hintsTheWalkDoesNotBearOut_costASecondScan_notAWrongRow() throws Exception {
        // "a" is excluded, but the exception re-includes a/b/f1: the walker enters a, which these hints prune.
        List<String> lines = List.of("a", "!a/b/f1", "**/node_modules");
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot natively = ContextSnapshot.scan(root, patterns(lines), cache, 0,
                new dev.wharf.context.walk.PruneHints(List.of("a"), List.of("node_modules"), List.of()));
        assertEquals(0, natively.unlistedDirectories(), "scanned again whole");
        assertSameAsTheJavaWalk(lines, natively, cache);
        assertTrue(listing(natively, "/").stream().anyMatch(l -> l.startsWith("/a/b/f1 ")));

        // d/e is not excluded at all, and d is taken whole (nothing under it can match "z"): its rows are copied in
        // bulk, which finds the directory the hints left unlisted and scans again.
        List<String> other = List.of("z", "a/c");
        ContextSnapshot whole = ContextSnapshot.scan(root, patterns(other), cache, 0,
                new dev.wharf.context.walk.PruneHints(List.of("d/e"), List.of(), List.of()));
        assertEquals(0, whole.unlistedDirectories(), "scanned again whole");
        assertSameAsTheJavaWalk(other, whole, cache);
        assertTrue(listing(whole, "/").stream().anyMatch(l -> l.startsWith("/d/e/deep/h ")));
    }

    @Test
    void changesInsideAPrunedDirectory_changeNothing_andTheDirectoryAppearingOrGoingIsSeen() throws Exception {
        PatternMatcher excludes = patterns(List.of("**/node_modules", ".git"));
        Digest first = build(excludes);
        assertEquals(truth(excludes), first);
        Files.write(root.resolve("node_modules/m"), "changed".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(root.resolve("node_modules/deep/er"));
        Files.write(root.resolve(".git/objects/o2"), new byte[3]);
        assertEquals(first, build(excludes), "changes in pruned directories change nothing");
        // A file or symlink of that name is not a directory: it is not pruned, and the rules decide it as before.
        Files.createDirectories(root.resolve("d/e/g2"));
        Files.write(root.resolve("d/e/g2/node_modules"), "a file".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(root.resolve("d/node_modules"), Path.of("../a"));
        Digest withFiles = build(excludes);
        assertEquals(truth(excludes), withFiles);
        assertNotEquals(first, withFiles, "d/e/g2 is new");
        Files.delete(root.resolve("d/node_modules"));
        Files.move(root.resolve("keep/node_modules"), root.resolve("keep/modules"));
        Digest moved = build(excludes);
        assertEquals(truth(excludes), moved);
        assertNotEquals(withFiles, moved, "keep/modules is no longer excluded");
        Files.move(root.resolve("keep/modules"), root.resolve("keep/node_modules"));
        assertEquals(truth(excludes), build(excludes));
    }

    @Test
    void aContextPastTheParallelThreshold_isFilteredAsTheJavaWalkFiltersIt() throws Exception {
        for (int i = 0; i < 3000; i++) { // past ContextWalker's PARALLEL_AFTER: directories decided on the pool
            Path d = Files.createDirectories(root.resolve("many/d" + i % 30 + "/e" + i % 7));
            Files.write(d.resolve("f" + i + (i % 5 == 0 ? ".log" : ".txt")), new byte[i % 3]);
        }
        PatternMatcher excludes = patterns(List.of("many/d1*", "!many/d1*/e3", "**/*.log", "!many/d2/e2/*.log",
                "many/d5/"));
        ContextSnapshot natively = ContextSnapshot.scan(root, excludes, ChecksumCache.persistent(cacheDir, 100_000),
                0);
        ContextSnapshot java = ContextSnapshot.scan(root, excludes);
        assertTrue(natively.fingerprintSlot(ContextSnapshot.key("")) >= 0, "from the helper");
        assertEquals(listing(java, "/"), listing(natively, "/"));
        assertEquals(truth(excludes), build(excludes));
        assertEquals(truth(excludes), build(excludes));
    }

    @Test
    void changesInsideAndOutsideExcludedAreas_areSeenAcrossFreshCaches() throws Exception {
        PatternMatcher excludes = patterns(List.of("a", "!a/b/f1", "node_modules", "d/e/deep"));
        Digest first = build(excludes);
        assertEquals(truth(excludes), first);
        assertEquals(first, build(excludes));

        Files.write(root.resolve("a/c"), "changed but excluded".getBytes(StandardCharsets.UTF_8));
        Files.write(root.resolve("node_modules/new"), new byte[1]);
        Files.write(root.resolve("d/e/deep/h"), "excluded".getBytes(StandardCharsets.UTF_8));
        assertEquals(first, build(excludes), "changes in excluded areas change nothing");
        assertEquals(truth(excludes), build(excludes));

        Files.write(root.resolve("a/b/f1"), "re-included and changed".getBytes(StandardCharsets.UTF_8));
        Digest reincluded = build(excludes);
        assertNotEquals(first, reincluded);
        assertEquals(truth(excludes), reincluded);

        Files.write(root.resolve("d/e/g"), "outside".getBytes(StandardCharsets.UTF_8));
        Digest outside = build(excludes);
        assertNotEquals(reincluded, outside);
        assertEquals(truth(excludes), outside);
        assertEquals(truth(excludes), build(excludes));

        Files.delete(root.resolve("a/b/f1"));
        assertEquals(truth(excludes), build(excludes));
        Files.write(root.resolve("a/b/f1"), new byte[0]);
        Files.move(root.resolve("d/e"), root.resolve("d/f"));
        assertEquals(truth(excludes), build(excludes));
        assertEquals(truth(excludes), build(excludes));
    }

    @Test
    void aStoredDirectoryDigest_isKeyedByThePatternsAndThePath() throws Exception {
        PatternMatcher one = patterns(List.of("a/b/f1"));
        PatternMatcher other = patterns(List.of("a/b/f2"));
        build(one);
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s1 = ContextSnapshot.scan(root, one, cache, 0);
        ContextSnapshot s2 = ContextSnapshot.scan(root, other, cache, 0);
        ContextSnapshot none = ContextSnapshot.scan(root, patterns(List.of()), cache, 0);
        int slot1 = s1.fingerprintSlot(ContextSnapshot.key("/a/b"));
        int slot2 = s2.fingerprintSlot(ContextSnapshot.key("/a/b"));
        int slot0 = none.fingerprintSlot(ContextSnapshot.key("/a/b"));
        assertNotEquals(s1.fingerprint(slot1, 0), s2.fingerprint(slot2, 0), "other patterns, another key");
        assertNotEquals(s1.fingerprint(slot1, 0), none.fingerprint(slot0, 0), "no patterns, another key");
        int slotD = s1.fingerprintSlot(ContextSnapshot.key("/d"));
        int slotDE = s1.fingerprintSlot(ContextSnapshot.key("/d/e"));
        assertNotEquals(s1.fingerprint(slotD, 0), s1.fingerprint(slotDE, 0));

        // A digest planted under the first patterns' key is used by them and by nothing else.
        Digest planted = Digest.of("not a/b's digest".getBytes(StandardCharsets.UTF_8));
        assertNotNull(cache.lookup(FileKey.directory(s1.fingerprint(slot1, 0), s1.fingerprint(slot1, 1), true)));
        cache.put(FileKey.directory(s1.fingerprint(slot1, 0), s1.fingerprint(slot1, 1), true), planted);
        Selector ab = Selector.copySource("a/b", List.of());
        assertEquals(planted, new ContextChecksummer(cache, true, LATER).checksum(s1, ab));
        assertEquals(new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER).checksum(
                ContextSnapshot.scan(root, other), ab), new ContextChecksummer(cache, true, LATER).checksum(s2, ab));
        assertEquals(new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER).checksum(
                ContextSnapshot.scan(root, patterns(List.of())), ab),
                new ContextChecksummer(cache, true, LATER).checksum(none, ab));
    }
}
