package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.testing.DelegatingPosixFiles;
import dev.wharf.layers.testing.RootOnly;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer's tar is the same whether its headers come from the binding's native formatter
 * ({@link PosixFiles#ustarHeader}, JNI) or from TarWriter's Java: on trees with long names (ustar prefix and PAX),
 * non-ASCII names, long link targets, hard links, symlinks, devices, fifos, xattrs, whiteouts and opaque directories.
 */
class NativeTarHeadersTest {
    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private PosixFiles posix;

    @BeforeEach
    void setUp() throws Exception {
        posix = PosixFiles.system();
        RootOnly.require(posix.effectiveUid() == 0, "root (for owners, devices and trusted xattrs)");
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void aRichTree_hasTheSameTarBytes_withNativeAndJavaHeaders() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("rich"));
        SampleTrees.rich(root, posix);
        moreNames(root);
        assertArrayEquals(tar(root, false, new JavaHeadersOnly(posix)), tar(root, false, posix));
    }

    @Test
    void anOverlayUpperDir_hasTheSameTarBytes_withNativeAndJavaHeaders() throws Exception {
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        SampleTrees.rich(upper, posix);
        // Whiteouts (character devices 0:0), one with a name long enough for PAX once ".wh." is added.
        posix.mknod(upper.resolve("deleted"), PosixFiles.S_IFCHR, DeviceNumbers.makedev(0, 0));
        Path deep = Files.createDirectories(upper.resolve("d".repeat(60) + "/" + "e".repeat(60)));
        posix.mknod(deep.resolve("w".repeat(97)), PosixFiles.S_IFCHR, DeviceNumbers.makedev(0, 0));
        Path opaque = Files.createDirectory(upper.resolve("opaque"));
        posix.setXattr(opaque, "trusted.overlay.opaque", "y".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(opaque.resolve("inside"), "new");
        assertArrayEquals(tar(upper, true, new JavaHeadersOnly(posix)), tar(upper, true, posix));
    }

    @Test
    void theJniBinding_formatsCommonHeadersNatively_andJffisDeclines() {
        // Otherwise the tests above could compare the Java path with itself unnoticed.
        byte[] header = new byte[512];
        if (posix.getClass().getSimpleName().equals("JniPosixFiles")) {
            assertTrue(posix.ustarHeader("usr/bin/env", '0', 0755, 0, 0, 10, 1_700_000_000L, "", 0, 0, header));
        } else {
            assertThrows(UnsupportedOperationException.class,
                    () -> posix.ustarHeader("usr/bin/env", '0', 0755, 0, 0, 10, 1_700_000_000L, "", 0, 0, header));
        }
    }

    /** Names around ustar's limits: 100-byte names, 155-byte prefixes, 256 bytes and one more, DEL, tabs. */
    private void moreNames(Path root) throws Exception {
        Path p155 = Files.createDirectories(root.resolve("p".repeat(100) + "/" + "q".repeat(54)));
        SampleTrees.file(p155.resolve("n".repeat(100)), "fits prefix and name", 0644, 0, 0, 1_700_000_002L);
        SampleTrees.file(p155.resolve("n".repeat(101)), "name too long", 0644, 0, 0, 1_700_000_003L);
        Path p156 = Files.createDirectories(root.resolve("p".repeat(100) + "/" + "r".repeat(55)));
        SampleTrees.file(p156.resolve("n".repeat(100)), "prefix too long", 0644, 0, 0, 1_700_000_004L);
        SampleTrees.file(root.resolve("x".repeat(100)), "100 bytes", 0644, 0, 0, 1_700_000_005L);
        Files.createDirectory(root.resolve("y".repeat(100)));
        SampleTrees.file(root.resolve("del\u007fname"), "DEL", 0644, 0, 0, 1_700_000_006L);
        SampleTrees.file(root.resolve("tab\tname"), "tab", 0644, 0, 0, 1_700_000_007L);
        posix.symlink("t".repeat(100), root.resolve("link-100"));
        posix.symlink("t".repeat(101), root.resolve("link-101"));
        posix.symlink("caf\u00e9", root.resolve("link-unicode"));
        Files.createLink(root.resolve("hard-" + "h".repeat(120)), root.resolve("x".repeat(100)));
        posix.mknod(root.resolve("big-dev"), PosixFiles.S_IFCHR | 0600, DeviceNumbers.makedev(4095, 1048575));
        SampleTrees.file(root.resolve("big-ids"), "ids", 0644, 2_097_152, 2_097_151, 1_700_000_008L);
        SampleTrees.file(root.resolve("epoch"), "old", 0644, 0, 0, 0);
        for (Path p = p155; !p.equals(root); p = p.getParent()) {
            posix.setTimes(p, 1_100_000_010L, 0);
        }
        for (Path p = p156; !p.equals(root); p = p.getParent()) {
            posix.setTimes(p, 1_100_000_011L, 0);
        }
        posix.setTimes(root.resolve("y".repeat(100)), 1_100_000_012L, 0);
    }

    private byte[] tar(Path root, boolean overlay, PosixFiles binding) throws Exception {
        LayerWriter writer = new LayerWriter(FileBlobStore.open(tmp.resolve("store")), new TreeScanner(binding),
                LayerWriterOptions.of(LayerCompression.none()), pool);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTarStreaming(root, overlay, out);
        return out.toByteArray();
    }

    /** The binding without its native header formatter (and its other optional calls): TarWriter's Java path. */
    private static final class JavaHeadersOnly extends DelegatingPosixFiles {
        JavaHeadersOnly(PosixFiles real) {
            super(real);
        }
    }
}
