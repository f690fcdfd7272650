package dev.wharf.context.walk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helper's cached directory listings: a scan that takes a directory's names from the listing file gives byte for
 * byte the output of one that lists every directory, through every change a rebuild must see, and a listing file that
 * is torn or garbage is not trusted.
 */
class NativeTreeScanListingsTest {

    /** The tests' window for keeping a listing: short, and slept past after every change. */
    private static final long WINDOW_NANOS = 50_000_000L;

    @TempDir
    Path tmp;
    private Path root;
    private NativeTreeScan cached;
    private NativeTreeScan listing;

    @BeforeEach
    void tree() throws Exception {
        boolean packaged = NativeTreeScan.class.getResource(
                dev.wharf.layers.layout.NativeHelpers.resource(NativeTreeScan.NAME)) != null;
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(packaged, "CI=true: the build must compile the native scan helper (apt-get install gcc)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged, "wharf-scan was not compiled (no gcc at build time)");
        root = Files.createDirectory(tmp.resolve("ctx"));
        for (int i = 0; i < 300; i++) {
            file("src/d" + i % 7 + "/e" + i % 3 + "/f" + i + ".txt", "file " + i);
        }
        file("README", "top");
        file("\u00e9t\u00e9/\u00fcn\u00efcode.txt", "utf-8");
        Files.createDirectories(root.resolve("empty"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("src/d1"));
        Files.createSymbolicLink(root.resolve("src/dangling"), Path.of("/nowhere"));
        Files.createLink(root.resolve("src/hard"), root.resolve("README"));
        NativeTreeScan scanner = NativeTreeScan.open(tmp.resolve("state")).orElseThrow();
        cached = scanner.withListingWindow(WINDOW_NANOS);
        listing = scanner.withListingWindow(-1);
        pastWindow();
    }

    private void file(String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private static void pastWindow() throws InterruptedException {
        Thread.sleep(3 * WINDOW_NANOS / 1_000_000L);
    }

    private static byte[] scan(NativeTreeScan s, Path root) {
        return s.scan(root, InputStream::readAllBytes).orElseThrow();
    }

    /** The listing file's identity: a file written again is renamed into place, a new inode. */
    private Object listingFileKey() throws IOException {
        return Files.readAttributes(cached.listingFile(root), BasicFileAttributes.class).fileKey();
    }

    /** Scans from the cached listings, which must give what listing every directory gives. */
    private void sameAsListing(String after) {
        byte[] truth = scan(listing, root);
        assertArrayEquals(truth, scan(cached, root), after);
        assertArrayEquals(truth, scan(cached, root), after + ", again");
    }

    @Test
    void listingsKeptByOneScan_giveTheNextTheSameOutput_andAnUnchangedTreeWritesNothing() throws Exception {
        assertFalse(Files.exists(cached.listingFile(root)));
        sameAsListing("first scan");
        assertTrue(Files.size(cached.listingFile(root)) > 300, "listings kept");
        Object key = listingFileKey();
        sameAsListing("unchanged");
        assertEquals(key, listingFileKey(), "every directory's names came from the file: it was not written again");
    }

    @Test
    void helperReadsTheKeyFromItsFile_andAKeyFileNotOf32BytesFailsTheScan() throws Exception {
        Path keyFile = tmp.resolve("state").resolve(NativeTreeScan.KEY_FILE);
        byte[] first = scan(listing, root);
        byte[] key = Files.readAllBytes(keyFile);
        key[0] ^= 1;
        Files.write(keyFile, key);
        assertFalse(java.util.Arrays.equals(first, scan(listing, root)), "fingerprints follow the key in the file");
        Files.write(keyFile, java.util.Arrays.copyOf(key, 31));
        assertTrue(listing.scan(root, InputStream::readAllBytes).isEmpty(), "short key: the caller walks instead");
        Files.write(keyFile, java.util.Arrays.copyOf(key, 33));
        assertTrue(listing.scan(root, InputStream::readAllBytes).isEmpty(), "long key: the caller walks instead");
        Files.delete(keyFile);
        assertTrue(listing.scan(root, InputStream::readAllBytes).isEmpty(), "no key: the caller walks instead");
    }

    @Test
    void everyChangeToADirectorysEntries_isSeen() throws Exception {
        List<String> changes = new ArrayList<>();
        List<IoAction> actions = new ArrayList<>();
        changes.add("a file added deep down");
        actions.add(() -> file("src/d3/e1/new.txt", "new"));
        changes.add("a file removed");
        actions.add(() -> Files.delete(root.resolve("src/d2/e2/f2.txt")));
        changes.add("a file renamed in its directory");
        actions.add(() -> Files.move(root.resolve("src/d4/e1/f4.txt"), root.resolve("src/d4/e1/g4.txt")));
        changes.add("a file moved to another directory");
        actions.add(() -> Files.move(root.resolve("src/d5/e2/f5.txt"), root.resolve("src/d6/e0/f5.txt")));
        changes.add("a directory renamed");
        actions.add(() -> Files.move(root.resolve("src/d1"), root.resolve("src/d1-renamed")));
        changes.add("a file replaced by a directory of its name");
        actions.add(() -> {
            Files.delete(root.resolve("src/d0/e0/f0.txt"));
            file("src/d0/e0/f0.txt/inner", "now a directory");
        });
        changes.add("a file renamed over another");
        actions.add(() -> Files.move(root.resolve("src/d6/e1/f13.txt"), root.resolve("src/d6/e1/f55.txt"),
                StandardCopyOption.REPLACE_EXISTING));
        changes.add("a symlink and a hard link added");
        actions.add(() -> {
            Files.createSymbolicLink(root.resolve("src/d3/e0/ln"), Path.of("../../d2"));
            Files.createLink(root.resolve("src/d3/e0/hl"), root.resolve("src/d3/e0/f3.txt"));
        });
        changes.add("a subtree removed");
        actions.add(() -> dev.wharf.layers.layout.FileTrees.delete(root.resolve("src/d2")));
        changes.add("an empty directory added at the root");
        actions.add(() -> Files.createDirectory(root.resolve("another")));
        changes.add("a directory made unreadable to others");
        actions.add(() -> Files.setPosixFilePermissions(root.resolve("src/d3"),
                PosixFilePermissions.fromString("rwx------")));
        sameAsListing("first scan");
        for (int i = 0; i < changes.size(); i++) {
            actions.get(i).run();
            sameAsListing(changes.get(i)); // at once: the changed directory's times moved
            pastWindow();
            sameAsListing(changes.get(i) + ", its listing kept"); // now from its new listing
        }
    }

    @Test
    void aDirectoryChangedWithinTheWindow_hasNoListingKept() throws Exception {
        // A window of a minute, not the default two seconds: on a loaded machine making the tree took longer than
        // two seconds, and its older directories' listings were then rightly kept (a flaky failure under CI load).
        NativeTreeScan aMinute = NativeTreeScan.open(tmp.resolve("state")).orElseThrow()
                .withListingWindow(60_000_000_000L);
        file("src/d0/e0/fresh.txt", "fresh");
        byte[] out = scan(aMinute, root);
        assertArrayEquals(scan(listing, root), out);
        // Everything here was made within the last minute: no listing may be kept.
        assertFalse(Files.exists(aMinute.listingFile(root)));
    }

    @Test
    void aTornOrGarbageListingFile_isNotTrusted() throws Exception {
        sameAsListing("first scan");
        Path file = cached.listingFile(root);
        byte[] good = Files.readAllBytes(file);
        file("src/d0/e0/late.txt", "a name the kept listing does not have");
        pastWindow();
        byte[] truth = scan(listing, root);
        java.util.Random r = new java.util.Random(7);
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[0]);
        bad.add(java.util.Arrays.copyOf(good, 24));
        bad.add(java.util.Arrays.copyOf(good, good.length / 2));
        for (int i = 0; i < 40; i++) {
            byte[] b = good.clone();
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            bad.add(b);
        }
        byte[] noise = new byte[good.length];
        r.nextBytes(noise);
        bad.add(noise);
        for (int i = 0; i < bad.size(); i++) {
            Files.write(file, bad.get(i));
            assertArrayEquals(truth, scan(cached, root), "damaged listing file " + i);
        }
        // The file kept before the new name was added holds its directory under older times: not used either.
        Files.write(file, good);
        assertArrayEquals(truth, scan(cached, root));
        assertNotEquals(good.length, Files.size(file), "written again with the directory's new listing");
    }

    @Test
    void aFullDirectoryOfListingFiles_isEmptiedBeforeANewOneIsWritten() throws Exception {
        Path dir = cached.listingFile(root).getParent();
        Files.createDirectories(dir);
        for (int i = 0; i < 64; i++) {
            Files.write(dir.resolve("other" + i), new byte[] {1});
        }
        sameAsListing("first scan");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(cached.listingFile(root)), files.toList());
        }
    }

    /** A change to the tree that may throw. */
    private interface IoAction {
        void run() throws IOException;
    }
}
