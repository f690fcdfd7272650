package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.context.ContextException;
import dev.wharf.context.ignore.PatternMatcher;
import dev.wharf.context.walk.NativeTreeScan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native scan ({@code wharf-scan}) and the directory digests it lets a persisted cache reuse: the same snapshot
 * and digests as the Java walk, and every change a rebuild must see is seen, across fresh cache instances (as
 * across processes).
 */
class NativeScanChecksumTest {

    /** A clock far in the future, so no test file counts as racily fresh. */
    private static final Clock LATER = Clock.fixed(Instant.parse("2200-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    private Path root;
    private Path cacheDir;

    @BeforeEach
    void packaged() throws Exception {
        ContextFixture.assumeScanHelperPackaged();
        root = Files.createDirectory(tmp.resolve("ctx"));
        cacheDir = tmp.resolve("cache");
        ContextFixture.build(root, "ADD a dir", "ADD a/b dir", "ADD a/b/f1 file one", "ADD a/b/f2 file two",
                "ADD a/c file three", "ADD a.b file dot", "ADD a/empty dir", "ADD z file last",
                "ADD link symlink a/b/f1", "ADD abs symlink /etc/passwd", "ADD d dir", "ADD d/e dir",
                "ADD d/e/g file deep");
        Files.write(root.resolve("\u00e9t\u00e9"), "utf8 name".getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(root.resolve("\u00e9t\u00e9"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createLink(root.resolve("hard"), root.resolve("a/c"));
        Process p = new ProcessBuilder("mkfifo", root.resolve("d/pipe").toString()).start();
        assertEquals(0, p.waitFor());
        Files.write(root.resolve("big"), new byte[300_000]);
        Files.setPosixFilePermissions(root.resolve("big"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static PatternMatcher none() throws ContextException {
        return PatternMatcher.of(List.of());
    }

    /** One build: a fresh cache instance on the directory (as a fresh process has), scan, checksum, persist. */
    private Digest build(Clock clock) throws Exception {
        return build(clock, RecordDigester.PARALLEL_RECORDS);
    }

    /** {@link #build(Clock)}, child directories hashed in parallel from snapshots of {@code parallelRecords} on. */
    private Digest build(Clock clock, int parallelRecords) throws Exception {
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        Digest d = new ContextChecksummer(cache, true, clock, parallelRecords).checksum(s,
                Selector.copySource(".", List.of()));
        cache.persist();
        return d;
    }

    /** What the Java walk and an empty in-memory cache give for the tree as it is now. */
    private Digest truth() throws Exception {
        ContextSnapshot s = ContextSnapshot.scan(root, none());
        return new ContextChecksummer(ChecksumCache.inMemory(10_000), true, LATER).checksum(s,
                Selector.copySource(".", List.of()));
    }

    private static List<String> listing(ContextSnapshot s, String dir) {
        return ContextFixture.listing(s, dir);
    }

    @Test
    void nativeScan_givesTheJavaWalksRecordsAndDigests_withAFingerprintPerDirectory() throws Exception {
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot natively = ContextSnapshot.scan(root, none(), cache, 0);
        ContextSnapshot java = ContextSnapshot.scan(root, none());
        assertEquals(java.size(), natively.size());
        assertEquals(listing(java, "/"), listing(natively, "/"));
        for (String dir : List.of("", "/a", "/a/b", "/a/empty", "/d", "/d/e")) {
            assertTrue(natively.fingerprintSlot(ContextSnapshot.key(dir)) >= 0, dir);
            assertEquals(-1, java.fingerprintSlot(ContextSnapshot.key(dir)), dir);
        }
        assertEquals(-1, natively.fingerprintSlot(ContextSnapshot.key("/z")));
        for (String path : List.of(".", "a", "a/b", "d", "link", "\u00e9t\u00e9")) {
            Selector sel = Selector.copySource(path, List.of());
            assertEquals(new ContextChecksummer(ChecksumCache.inMemory(100), true, LATER).checksum(java, sel),
                    new ContextChecksummer(cache, true, LATER).checksum(natively, sel), path);
        }
    }

    @Test
    void ownersAndDevicesThatDifferBetweenEntries_reachTheRowsAsTheJavaWalkHasThem() throws Exception {
        // The helper sends a column whose rows all agree once: here they do not (as root; otherwise, and where
        // mknod is refused, the columns agree and the rows must still be the Java walk's).
        Path other = root.resolve("a/b/f1");
        try {
            Files.setAttribute(other, "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(other, "unix:gid", 5678, LinkOption.NOFOLLOW_LINKS);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // not root: owners stay as they are
        }
        new ProcessBuilder("mknod", root.resolve("d/null").toString(), "c", "1", "3").start().waitFor();
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot natively = ContextSnapshot.scan(root, none(), cache, 0);
        ContextSnapshot java = ContextSnapshot.scan(root, none());
        assertTrue(natively.fingerprintSlot(ContextSnapshot.key("")) >= 0, "from the helper");
        assertEquals(listing(java, "/"), listing(natively, "/"));
        assertEquals(new ContextChecksummer(ChecksumCache.inMemory(100), false, LATER).checksum(java,
                Selector.copySource(".", List.of())), new ContextChecksummer(cache, false, LATER).checksum(natively,
                Selector.copySource(".", List.of())));
    }

    @Test
    void aTreeOfSeveralBlocksOfRows_comesOverAsTheJavaWalkHasIt() throws Exception {
        // The helper writes rows in blocks of 4,096 as its walk goes: here three of them, owners differing in one.
        for (int i = 0; i < 9000; i++) {
            Path d = Files.createDirectories(root.resolve("many/d" + i % 37 + "/e" + i % 5));
            Path f = Files.write(d.resolve("f" + i), new byte[i % 7]);
            if (i == 7000) {
                try {
                    Files.setAttribute(f, "unix:uid", 4321, LinkOption.NOFOLLOW_LINKS);
                } catch (java.io.IOException | UnsupportedOperationException e) {
                    // not root: one owner throughout
                }
            }
        }
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 100_000);
        ContextSnapshot natively = ContextSnapshot.scan(root, none(), cache, 0);
        ContextSnapshot java = ContextSnapshot.scan(root, none());
        assertTrue(natively.size() > 2 * 4096, "rows: " + natively.size());
        assertTrue(natively.fingerprintSlot(ContextSnapshot.key("/many/d36/e4")) >= 0, "from the helper");
        assertEquals(listing(java, "/"), listing(natively, "/"));
        assertEquals(truth(), build(LATER));
        assertEquals(truth(), build(LATER));
    }

    @Test
    void manyDirectoriesAtTheRoot_orFew_giveTheSameRows() throws Exception {
        // Few directories at the root: the helper lists them itself and walks their subdirectories as tasks (the
        // fixture's a and d); many: each is a task. Both must give the Java walk's rows and fingerprints that hold.
        assertEquals(truth(), build(LATER));
        for (int i = 0; i < 12; i++) {
            Path d = Files.createDirectories(root.resolve("top" + i + "/sub" + i % 3));
            Files.write(d.resolve("f"), new byte[i]);
        }
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot natively = ContextSnapshot.scan(root, none(), cache, 0);
        assertTrue(natively.fingerprintSlot(ContextSnapshot.key("/top3/sub0")) >= 0, "from the helper");
        assertEquals(listing(ContextSnapshot.scan(root, none()), "/"), listing(natively, "/"));
        assertEquals(truth(), build(LATER));
        assertEquals(truth(), build(LATER));
        Files.write(root.resolve("top7/sub1/f"), new byte[] {1, 2, 3});
        assertEquals(truth(), build(LATER));
    }

    @Test
    void anOutputCutShortAnywhere_isRejected_soThatTheJavaWalkTakesOver() throws Exception {
        // A helper that fails midway has written some blocks already: its output then ends early.
        for (int i = 0; i < 5000; i++) {
            Path d = Files.createDirectories(root.resolve("many/d" + i % 11));
            Files.write(d.resolve("f" + i), new byte[0]);
        }
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 100_000);
        byte[] whole = cache.scanner().orElseThrow().scan(root, java.io.InputStream::readAllBytes).orElseThrow();
        assertNotNull(new SnapshotRows.ColumnsReader().read(new java.io.ByteArrayInputStream(whole)));
        java.util.Random r = new java.util.Random(3);
        for (int k = 0; k < 300; k++) {
            int cut = k < 100 ? k : r.nextInt(whole.length);
            assertEquals(null, new SnapshotRows.ColumnsReader().read(new java.io.ByteArrayInputStream(
                    java.util.Arrays.copyOf(whole, cut))), "cut at " + cut + " of " + whole.length);
        }
    }

    @Test
    void anUnchangedTree_reusesItsDirectoryDigests_andEveryChangeIsSeen() throws Exception {
        assertEquals(truth(), build(LATER));
        assertEquals(truth(), build(LATER)); // from the stored directory digests
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        assertNotNull(storedDigest(cache, s, ""), "the root's digest is stored under its fingerprint");
        assertNotNull(storedDigest(cache, s, "/a/b"));

        // A same-size rewrite with the mtime put back: only the ctime tells.
        Path f1 = root.resolve("a/b/f1");
        FileTime mtime = Files.getLastModifiedTime(f1);
        Files.write(f1, "ONE".getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(f1, mtime);
        Digest changed = build(LATER);
        assertEquals(truth(), changed);

        Files.setPosixFilePermissions(root.resolve("d/e/g"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(truth(), build(LATER, 1)); // the forked walk reuses and stores them too
        Files.write(root.resolve("a/b/f2"), "TWO".getBytes(StandardCharsets.UTF_8));
        assertEquals(truth(), build(LATER, 1));
        assertEquals(truth(), build(LATER, 1));
        Files.write(root.resolve("d/e/new"), new byte[0]);
        assertEquals(truth(), build(LATER));
        Files.delete(root.resolve("a/c"));
        assertEquals(truth(), build(LATER));
        Files.delete(root.resolve("link"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/b/f2"));
        assertEquals(truth(), build(LATER));
        java.nio.file.attribute.UserDefinedFileAttributeView view = Files.getFileAttributeView(
                root.resolve("a/b/f2"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
        view.write("wharf", java.nio.ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
        Digest withXattr = build(LATER);
        assertEquals(truth(), withXattr);
        assertNotEquals(changed, withXattr);
        Files.move(root.resolve("d/e"), root.resolve("d/f"));
        assertEquals(truth(), build(LATER));
        assertEquals(truth(), build(LATER));
    }

    @Test
    void aStoredDirectoryDigest_isUsedWithoutLookingInside() throws Exception {
        build(LATER);
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        int slot = s.fingerprintSlot(ContextSnapshot.key("/a"));
        Digest planted = Digest.of("not a's digest".getBytes(StandardCharsets.UTF_8));
        cache.put(FileKey.directory(s.fingerprint(slot, 0), s.fingerprint(slot, 1), true), planted);
        assertEquals(planted, new ContextChecksummer(cache, true, LATER).checksum(s, Selector.copySource("a",
                List.of())));
        Files.write(root.resolve("a/c"), "changed".getBytes(StandardCharsets.UTF_8));
        assertEquals(truth(), build(LATER), "a changed subtree has another fingerprint");
    }

    @Test
    void aSubtreeChangedWithinTheRacyWindow_isNotStored() throws Exception {
        Path f2 = root.resolve("a/b/f2");
        Instant written = Files.getLastModifiedTime(f2).toInstant();
        Clock soon = Clock.fixed(written.plusMillis(500), ZoneOffset.UTC);
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        new ContextChecksummer(cache, true, soon).checksum(s, Selector.copySource(".", List.of()));
        assertNull(storedDigest(cache, s, "/a/b"), "a directory with a file changed 0.5 s ago is not stored");
        assertNull(storedDigest(cache, s, ""));
        new ContextChecksummer(cache, true, LATER).checksum(s, Selector.copySource(".", List.of()));
        assertNotNull(storedDigest(cache, s, "/a/b"));
    }

    @Test
    void withoutTheHelper_theJavaWalkIsUsed_andGivesTheSameDigest() throws Exception {
        Files.createDirectories(cacheDir);
        Files.write(cacheDir.resolve(".helper"), new byte[0]); // the helper cannot be installed there
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        assertFalse(cache.scanner().isPresent());
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        assertEquals(-1, s.fingerprintSlot(ContextSnapshot.key("")));
        assertEquals(truth(), new ContextChecksummer(cache, true, LATER).checksum(s,
                Selector.copySource(".", List.of())));
        assertEquals(truth(), build(LATER));
    }

    @Test
    void aSmallContext_isWalkedInJava_aLargerOneScannedNatively() throws Exception {
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot small = ContextSnapshot.scan(root, none(), cache);
        assertEquals(-1, small.fingerprintSlot(ContextSnapshot.key("")), "below the threshold: the Java walk");
        assertFalse(cache.knownLarge(root));
        ContextSnapshot at10 = ContextSnapshot.scan(root, none(), cache, 10);
        assertTrue(at10.fingerprintSlot(ContextSnapshot.key("")) >= 0, "past it: the helper");
        assertEquals(listing(small, "/"), listing(at10, "/"));
        assertTrue(ChecksumCache.persistent(cacheDir, 10).knownLarge(root), "remembered for the next process");
        ContextSnapshot next = ContextSnapshot.scan(root, none(), ChecksumCache.persistent(cacheDir, 10_000));
        assertTrue(next.fingerprintSlot(ContextSnapshot.key("")) >= 0, "a known large context goes to the helper");
    }

    @Test
    void withExclusions_theJavaWalkHonoursThem() throws Exception {
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        PatternMatcher excludes = PatternMatcher.of(List.of("a/b", "!a/b/f2"));
        ContextSnapshot s = ContextSnapshot.scan(root, excludes, cache, 0);
        assertEquals(listing(ContextSnapshot.scan(root, excludes), "/"), listing(s, "/"));
        assertFalse(s.lstat("/a/b/f1").isPresent());
        assertTrue(s.lstat("/a/b/f2").isPresent());
    }

    @Test
    void aNameThatIsNotUtf8_makesTheJavaWalkDecodeIt() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "printf x > \"$1/$(printf 'bad\\377name')\"", "sh",
                root.resolve("a/b").toString()).start();
        assertEquals(0, p.waitFor());
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        assertEquals(-1, s.fingerprintSlot(ContextSnapshot.key("")), "from the Java walk");
        assertEquals(listing(ContextSnapshot.scan(root, none()), "/"), listing(s, "/"));
        assertEquals(truth(), build(LATER));
    }

    @Test
    void aContextThatIsNotADirectory_failsAsTheJavaWalkFails() throws Exception {
        Path file = Files.write(tmp.resolve("file"), new byte[1]);
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextException expected = org.junit.jupiter.api.Assertions.assertThrows(ContextException.class,
                () -> ContextSnapshot.scan(file, none()));
        ContextException actual = org.junit.jupiter.api.Assertions.assertThrows(ContextException.class,
                () -> ContextSnapshot.scan(file, none(), cache, 0));
        assertEquals(expected.getMessage(), actual.getMessage());
    }

    @Test
    void entriesChangedSinceTheCachesLastWrite_comeWithTheirXattrsFromTheScan_andGiveTheJavaWalksDigests()
            throws Exception {
        Thread.sleep(2_100); // the tree's entries then predate the cache's write by more than the racy window
        assertEquals(truth(), build(LATER));
        Path f1 = root.resolve("a/b/f1");
        Files.getFileAttributeView(f1, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write("one", java.nio.ByteBuffer.wrap("1".getBytes(StandardCharsets.UTF_8)));
        Files.writeString(root.resolve("a/c"), "three, changed");

        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        Map<String, byte[]> attrs = s.scannedXattrs(s.lstat("/a/b/f1").orElseThrow()).orElseThrow();
        assertEquals("1", new String(attrs.get("user.one"), StandardCharsets.UTF_8));
        assertTrue(s.scannedXattrs(s.lstat("/a/c").orElseThrow()).isPresent(), "a changed file");
        assertTrue(s.scannedXattrs(s.lstat("/z").orElseThrow()).isEmpty(), "an unchanged file is not asked");
        assertTrue(s.scannedXattrCount() < 6, "only what changed: " + s.scannedXattrCount());
        Digest d = new ContextChecksummer(cache, true, LATER).checksum(s, Selector.copySource(".", List.of()));
        assertEquals(truth(), d);
        // Kept through .dockerignore rules, which the snapshot applies to the scanned rows.
        ContextSnapshot filtered = ContextSnapshot.scan(root, PatternMatcher.of(List.of("d", "z")), cache, 0);
        assertTrue(filtered.scannedXattrs(filtered.lstat("/a/b/f1").orElseThrow()).isPresent(), "filtered rows");
    }

    @Test
    void aScanOfAnUnwrittenCache_readsNoXattrs() throws Exception {
        ChecksumCache cache = ChecksumCache.persistent(cacheDir, 10_000);
        assertEquals(Long.MAX_VALUE, cache.xattrsSince());
        ContextSnapshot s = ContextSnapshot.scan(root, none(), cache, 0);
        assertEquals(0, s.scannedXattrCount());
        assertEquals(truth(), new ContextChecksummer(cache, true, LATER).checksum(s,
                Selector.copySource(".", List.of())));
    }

    @Test
    void xattrsThroughTheHelper_areTheBindingsOnes() throws Exception {
        Path f = root.resolve("a/b/f1");
        java.nio.file.attribute.UserDefinedFileAttributeView view = Files.getFileAttributeView(f,
                java.nio.file.attribute.UserDefinedFileAttributeView.class);
        view.write("one", java.nio.ByteBuffer.wrap("1".getBytes(StandardCharsets.UTF_8)));
        view.write("empty", java.nio.ByteBuffer.allocate(0));
        NativeTreeScan scanner = ChecksumCache.persistent(cacheDir, 10).scanner().orElseThrow();
        Map<String, byte[]> viaHelper = scanner.xattrs(f).orElseThrow();
        Map<String, byte[]> viaBinding = XattrReader.system().read(f, dev.wharf.context.walk.FileType.REGULAR, "/f");
        assertEquals(viaBinding.keySet(), viaHelper.keySet());
        for (String name : viaBinding.keySet()) {
            assertEquals(new String(viaBinding.get(name), StandardCharsets.ISO_8859_1),
                    new String(viaHelper.get(name), StandardCharsets.ISO_8859_1), name);
        }
        assertEquals(Optional.empty(), scanner.xattrs(root.resolve("missing")));
    }

    private static Digest storedDigest(ChecksumCache cache, ContextSnapshot s, String dir) {
        int slot = s.fingerprintSlot(ContextSnapshot.key(dir));
        assertTrue(slot >= 0, dir);
        return cache.lookup(FileKey.directory(s.fingerprint(slot, 0), s.fingerprint(slot, 1), true));
    }
}
