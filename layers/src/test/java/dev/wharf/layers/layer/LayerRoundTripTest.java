package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.posix.DeviceNumbers;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.testing.DelegatingPosixFiles;
import dev.wharf.layers.testing.RootOnly;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tree -> layer -> applied tree, with real files, owners, devices and xattrs (as root); and a layer's tar is the same
 * whether its headers come from the binding's native formatter ({@link PosixFiles#ustarHeader}, JNI) or from
 * TarWriter's Java, on trees with long names (ustar prefix and PAX), non-ASCII names, long link targets, hard links,
 * symlinks, devices, fifos, xattrs, whiteouts and opaque directories.
 */
class LayerRoundTripTest {
    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private PosixFiles posix;

    @BeforeEach
    void requireRoot() throws Exception {
        posix = PosixFiles.system();
        RootOnly.require(posix.effectiveUid() == 0, "root (for owners, devices and trusted xattrs)");
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void applyingTheLayerOfATree_reproducesTheTree() throws Exception {
        Path source = Files.createDirectory(tmp.resolve("source"));
        SampleTrees.rich(source, posix);
        posix.setXattr(source.resolve("a/file.txt"), "trusted.overlay.origin", new byte[] {1});
        for (LayerCompression compression : List.of(LayerCompression.gzip(6, 2), LayerCompression.zstd(3),
                LayerCompression.none())) {
            FileBlobStore store = FileBlobStore.open(tmp.resolve("store-" + compression.type()));
            LayerBlob layer = writer(store, LayerWriterOptions.of(compression)).writeTree(source);
            Path target = Files.createDirectory(tmp.resolve("target-" + compression.type()));
            try (InputStream in = store.open(layer.descriptor().digest())) {
                ApplyResult result = new LayerApplier(posix).apply(in, target);
                assertEquals(List.of(), result.warnings());
            }
            Map<String, String> expected = TreeSnapshot.of(source, posix);
            assertSampleTreeIsRich(expected);
            assertEquals(expected, TreeSnapshot.of(target, posix), compression.toString());
            assertFalse(posix.getXattr(target.resolve("a/file.txt"), "trusted.overlay.origin").isPresent(),
                    "overlayfs xattrs are never written into a layer");
            assertArrayEquals(SampleTrees.CAPABILITY,
                    posix.getXattr(target.resolve("a/exec"), "security.capability").orElseThrow());
        }
    }

    @Test
    void theDiffIdIsTheDigestOfTheTar_andTheDescriptorThatOfTheBlob() throws Exception {
        Path source = Files.createDirectory(tmp.resolve("source"));
        SampleTrees.rich(source, posix);
        FileBlobStore store = FileBlobStore.open(tmp.resolve("store"));
        LayerWriter writer = writer(store, LayerWriterOptions.of(LayerCompression.gzip(6, 2)));
        LayerBlob layer = writer.writeTree(source);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        writer.writeTar(new TreeScanner(posix).scanTree(source), tar);
        assertEquals(Digest.sha256Of(tar.toByteArray()), layer.diffId());
        assertEquals(tar.size(), layer.uncompressedSize());
        byte[] blob;
        try (InputStream in = store.open(layer.descriptor().digest())) {
            blob = in.readAllBytes();
        }
        assertEquals(blob.length, layer.descriptor().size());
        assertEquals(Digest.sha256Of(blob), layer.descriptor().digest());
    }

    @Test
    void aCopyOfTheTreeWithOtherInodes_givesTheSameDigests() throws Exception {
        Path one = Files.createDirectory(tmp.resolve("one"));
        SampleTrees.rich(one, posix);
        Path two = Files.createDirectory(tmp.resolve("two"));
        // Filler files first, so the copy's inodes come in another order, then the same tree.
        for (int i = 0; i < 50; i++) {
            Files.writeString(tmp.resolve("filler-" + i), "x");
        }
        SampleTrees.rich(two, posix);
        assertEquals(TreeSnapshot.of(one, posix), TreeSnapshot.of(two, posix));
        for (LayerCompression compression : List.of(LayerCompression.gzip(6, 2), LayerCompression.gzip(6, 1),
                LayerCompression.zstd(3), LayerCompression.none())) {
            FileBlobStore store = FileBlobStore.open(tmp.resolve("store-" + compression.type()
                    + compression.threads()));
            LayerWriter writer = writer(store, LayerWriterOptions.of(compression));
            LayerBlob first = writer.writeTree(one);
            LayerBlob again = writer.writeTree(one);
            LayerBlob copy = writer.writeTree(two);
            assertEquals(first, again, compression.toString());
            assertEquals(first, copy, compression.toString());
        }
    }

    @Test
    void sourceDateEpoch_clampsLaterTimesOnly() throws Exception {
        Path source = Files.createDirectory(tmp.resolve("source"));
        SampleTrees.file(source.resolve("old"), "old", 0644, 0, 0, 1_000L);
        SampleTrees.file(source.resolve("new"), "new", 0644, 0, 0, 2_000_000_000L);
        Files.createSymbolicLink(source.resolve("link"), Path.of("new"));
        posix.setTimes(source.resolve("link"), 2_000_000_001L, 0);
        FileBlobStore store = FileBlobStore.open(tmp.resolve("store"));
        LayerWriter writer = writer(store, LayerWriterOptions.of(LayerCompression.none()).withSourceDateEpoch(5_000));
        LayerBlob layer = writer.writeTree(source);
        Path target = Files.createDirectory(tmp.resolve("target"));
        try (InputStream in = store.open(layer.descriptor().digest())) {
            new LayerApplier(posix).apply(in, target);
        }
        FileMetadataReader reader = new FileMetadataReader(posix);
        assertEquals(1_000L, reader.read(target.resolve("old")).mtimeSeconds());
        assertEquals(5_000L, reader.read(target.resolve("new")).mtimeSeconds());
        assertEquals(5_000L, reader.read(target.resolve("link")).mtimeSeconds());
    }

    @Test
    void gnuTarExtractsTheSameTree() throws Exception {
        Path gnuTar = dev.wharf.layers.testing.PeerTools.require("tar");
        Path source = Files.createDirectory(tmp.resolve("source"));
        SampleTrees.rich(source, posix);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        new LayerWriter(FileBlobStore.open(tmp.resolve("store")), new TreeScanner(posix),
                LayerWriterOptions.of(LayerCompression.none()), pool)
                .writeTar(new TreeScanner(posix).scanTree(source), tar);
        Path tarFile = tmp.resolve("layer.tar");
        Files.write(tarFile, tar.toByteArray());
        Path byGnu = Files.createDirectory(tmp.resolve("gnu"));
        Process p = new ProcessBuilder(gnuTar.toString(), "-x", "-p", "--xattrs", "--xattrs-include=*",
                "--numeric-owner", "-f", tarFile.toString(), "-C", byGnu.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        Path byWharf = Files.createDirectory(tmp.resolve("wharf"));
        new LayerApplier(posix).apply(new ByteArrayInputStream(tar.toByteArray()), byWharf);
        Map<String, String> gnu = TreeSnapshot.of(byGnu, posix);
        Map<String, String> wharf = TreeSnapshot.of(byWharf, posix);
        assertEquals(gnu.keySet(), wharf.keySet());
        assertEquals(TreeSnapshot.of(source, posix), wharf);
        for (String path : gnu.keySet()) {
            assertEquals(withoutSymlinkTime(gnu.get(path)), withoutSymlinkTime(wharf.get(path)), path);
        }
        assertTrue(gnu.get("a/exec").contains("security.capability"), gnu.get("a/exec"));
    }

    /** Guards against a vacuous comparison: the snapshot must show every feature the sample tree has. */
    static void assertSampleTreeIsRich(Map<String, String> snapshot) {
        String deep = snapshot.keySet().stream().filter(k -> k.contains("file-with-a-long-name")).findFirst()
                .orElseThrow();
        assertTrue(deep.length() > 300, deep);
        assertTrue(snapshot.get(deep).contains("owner=3000000:4000000"), snapshot.get(deep));
        assertTrue(snapshot.get("a").startsWith("DIRECTORY mode=2750 owner=0:0 mtime=1200000001"), snapshot.get("a"));
        assertTrue(snapshot.get("a/exec").contains("mode=4755"), snapshot.get("a/exec"));
        assertTrue(snapshot.get("a/exec").contains("xattr:security.capability=0100000200000080"),
                snapshot.get("a/exec"));
        assertTrue(snapshot.get("a/exec").contains("xattr:trusted.note=000102fe"), snapshot.get("a/exec"));
        assertTrue(snapshot.get("a/hard1").contains("links=[a/sub/hard2, hard0]"), snapshot.get("a/hard1"));
        assertEquals("SYMLINK mode=777 owner=55:56 mtime=1400000000 -> a/file.txt", snapshot.get("link"));
        assertTrue(snapshot.get("dangling").endsWith("-> /nonexistent/target"), snapshot.get("dangling"));
        assertTrue(snapshot.get("slashed").endsWith("-> a//sub/"), snapshot.get("slashed"));
        assertTrue(snapshot.get("null").startsWith("CHAR_DEVICE mode=666") && snapshot.get("null").endsWith("dev=1,3"),
                snapshot.get("null"));
        assertTrue(snapshot.get("loop").endsWith("dev=7,300"), snapshot.get("loop"));
        assertTrue(snapshot.get("pipe").startsWith("FIFO mode=620"), snapshot.get("pipe"));
        assertTrue(snapshot.get("tmp").startsWith("DIRECTORY mode=1777"), snapshot.get("tmp"));
        assertTrue(snapshot.containsKey("h\u00e9llo-\u00fc.txt"));
        assertTrue(snapshot.get("a/sub/big.bin").contains("size=300000 "), snapshot.get("a/sub/big.bin"));
    }

    /** GNU tar does not restore symlink times everywhere; compare the rest. */
    private static String withoutSymlinkTime(String description) {
        return description.startsWith("SYMLINK") ? description.replaceAll(" mtime=\\d+", "") : description;
    }

    @Test
    void clampingAStoredLayer_givesTheLayerWrittenWithTheEpoch_fromAPlainOrACompressedBlob() throws Exception {
        Path source = Files.createDirectory(tmp.resolve("source"));
        SampleTrees.rich(source, posix);
        // The rich tree's times run from 1.1e9 to 1.7e9 (and the directories made now): the epoch lowers some.
        long epoch = 1_500_000_000L;
        FileBlobStore store = FileBlobStore.open(tmp.resolve("store"));
        LayerBlob plain = writer(store, LayerWriterOptions.of(LayerCompression.none())).writeTree(source);
        LayerBlob gzipped = writer(store, LayerWriterOptions.of(LayerCompression.gzip(6, 1))).writeTree(source);
        LayerBlob atWrite = writer(store, LayerWriterOptions.of(LayerCompression.none()).withSourceDateEpoch(epoch))
                .writeTree(source);
        assertFalse(atWrite.diffId().equals(plain.diffId()), "the epoch changes some times");
        assertEquals(atWrite, TimestampClamp.clamp(store, plain, epoch));
        assertEquals(atWrite, TimestampClamp.clamp(store, gzipped, epoch));
        assertEquals(atWrite, TimestampClamp.clamp(store, atWrite, epoch), "clamping twice changes nothing");
        // An epoch after every time keeps the layer as it is.
        assertEquals(plain, TimestampClamp.clamp(store, plain, 4_000_000_000L));
    }

    @Test
    void clampingAnOverlayUpperLayer_keepsItsWhiteoutsAndOpaqueMarkers() throws Exception {
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        SampleTrees.rich(upper, posix);
        posix.mknod(upper.resolve("gone"), PosixFiles.S_IFCHR, 0);
        Path opaque = Files.createDirectory(upper.resolve("opaque"));
        posix.setXattr(opaque, "trusted.overlay.opaque", "y".getBytes(StandardCharsets.UTF_8));
        Files.writeString(opaque.resolve("kept"), "k");
        long epoch = 1_500_000_000L;
        FileBlobStore store = FileBlobStore.open(tmp.resolve("store"));
        LayerBlob plain = writer(store, LayerWriterOptions.of(LayerCompression.none())).writeOverlayUpper(upper);
        LayerBlob atWrite = writer(store, LayerWriterOptions.of(LayerCompression.none()).withSourceDateEpoch(epoch))
                .writeOverlayUpper(upper);
        assertEquals(atWrite, TimestampClamp.clamp(store, plain, epoch));
    }

    private LayerWriter writer(FileBlobStore store, LayerWriterOptions options) {
        return new LayerWriter(store, new TreeScanner(posix), options, pool);
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
        LayerWriter writer = new LayerWriter(FileBlobStore.open(tmp.resolve("store-headers")), new TreeScanner(binding),
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
