package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanAheadTest {
    @TempDir
    Path tmp;

    private TreeScanner scanner;

    @BeforeEach
    void setUp() throws Exception {
        scanner = new TreeScanner(PosixFiles.system());
    }

    /** Many batches' worth of entries over nested directories come out whole and in the walk's order. */
    @Test
    void changes_comeInTheWalksOrder() throws Exception {
        Path root = tree("order", 30, 25);
        List<LayerChange> seen = new ArrayList<>();
        try (ScanAhead scan = ScanAhead.start(scanner, root, false)) {
            for (List<LayerChange> batch = scan.next(); batch != null; batch = scan.next()) {
                assertFalse(batch.isEmpty());
                seen.addAll(batch);
            }
            assertNull(scan.next(), "the end stays the end");
        }
        assertEquals(scanner.scanTree(root), seen);
        assertEquals(30 + 30 * 25, seen.size());
    }

    /** A failure of the walk (a name reserved for whiteouts) is thrown by next, with the walk's message. */
    @Test
    void aFailingWalk_throwsItsFailureFromNext() throws Exception {
        Path root = tree("failing", 20, 20);
        Files.writeString(root.resolve("d19").resolve(".wh.reserved"), "x");
        LayerException expected = assertThrows(LayerException.class, () -> scanner.scanTree(root));
        try (ScanAhead scan = ScanAhead.start(scanner, root, false)) {
            LayerException e = assertThrows(LayerException.class, () -> {
                while (scan.next() != null) {
                    // Drain up to the failure.
                }
            });
            assertEquals(expected.getMessage(), e.getMessage());
        }
    }

    /**
     * Closing before the end (the writer failed) stops the scan thread, which may then be waiting with a full queue:
     * no scan thread outlives close.
     */
    @Test
    void closeBeforeTheEnd_endsTheScanThread() throws Exception {
        Path root = tree("closed", 40, 40);
        ScanAhead scan = ScanAhead.start(scanner, root, false);
        assertNotNull(scan.next());
        // Let the walk fill its queue and wait.
        Thread.sleep(200);
        scan.close();
        assertFalse(scan.running());
        ScanAhead unread = ScanAhead.start(scanner, root, false);
        unread.close();
        assertFalse(unread.running());
    }

    /** {@code dirs} directories of {@code files} small files each, under a new directory {@code name}. */
    private Path tree(String name, int dirs, int files) throws Exception {
        Path root = Files.createDirectory(tmp.resolve(name));
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectory(root.resolve("d" + d));
            for (int f = 0; f < files; f++) {
                Files.writeString(dir.resolve("f" + f), "content " + d + "/" + f);
            }
        }
        assertTrue(Files.isDirectory(root));
        return root;
    }
}
