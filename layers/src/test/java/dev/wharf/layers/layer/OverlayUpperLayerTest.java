package dev.wharf.layers.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.FileBlobStore;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarReader;
import dev.wharf.layers.testing.RootOnly;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A real overlayfs mount: changes made through it, the upper dir written as a layer, base + layer = merged view. */
class OverlayUpperLayerTest {
    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @ParameterizedTest(name = "mount options: [{0}]")
    @ValueSource(strings = {"", "userxattr"})
    void upperDirBecomesALayerWithWhiteoutsAndOpaqueDirs_andBasePlusLayerEqualsTheMergedView(String options)
            throws Exception {
        PosixFiles posix = PosixFiles.system();
        RootOnly.require(posix.effectiveUid() == 0, "root (to mount overlayfs)");
        Path lower = Files.createDirectory(tmp.resolve("lower"));
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path merged = Files.createDirectory(tmp.resolve("merged"));
        Files.writeString(lower.resolve("keep.txt"), "keep\n");
        Files.writeString(lower.resolve("gone.txt"), "gone\n");
        Files.writeString(lower.resolve("gone-too.txt"), "gone too\n");
        Files.createDirectories(lower.resolve("removed/inner"));
        Files.writeString(lower.resolve("removed/inner/f"), "f");
        Files.createDirectories(lower.resolve("recreated"));
        Files.writeString(lower.resolve("recreated/old1"), "old1");
        Files.writeString(lower.resolve("recreated/old2"), "old2");
        Files.createDirectories(lower.resolve("sub/deep"));
        Files.writeString(lower.resolve("sub/deep/stays"), "stays");
        Files.writeString(lower.resolve("sub/deep/deleted"), "deleted");

        Map<String, String> mergedView;
        String mountError = mount(options, lower, upper, work, merged);
        RootOnly.require(mountError == null, "an overlayfs mount (" + mountError + ")");
        try {
            Files.delete(merged.resolve("gone.txt"));
            Files.delete(merged.resolve("gone-too.txt"));
            Files.delete(merged.resolve("sub/deep/deleted"));
            deleteTree(merged.resolve("removed"));
            deleteTree(merged.resolve("recreated"));
            Files.createDirectory(merged.resolve("recreated"));
            Files.writeString(merged.resolve("recreated/new"), "new");
            Files.writeString(merged.resolve("keep.txt"), "changed\n");
            Files.writeString(merged.resolve("added"), "added");
            Files.createLink(merged.resolve("added-link"), merged.resolve("added"));
            mergedView = TreeSnapshot.of(merged, posix);
        } finally {
            umount(merged);
        }
        assertTrue(Files.readAttributes(upper.resolve("gone.txt"), "unix:rdev",
                java.nio.file.LinkOption.NOFOLLOW_LINKS).get("rdev").equals(0L), "overlayfs made a 0:0 whiteout");
        String opaqueXattr = options.contains("userxattr") ? "user.overlay.opaque" : "trusted.overlay.opaque";
        assertTrue(posix.getXattr(upper.resolve("recreated"), opaqueXattr).isPresent(),
                "overlayfs marked the recreated directory opaque with " + opaqueXattr);

        FileBlobStore store = FileBlobStore.open(tmp.resolve("store"));
        LayerWriter writer = new LayerWriter(store, new TreeScanner(posix),
                LayerWriterOptions.of(LayerCompression.gzip(6, 2)), pool);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        writer.writeTar(new TreeScanner(posix).scanOverlayUpper(upper), tar);
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        writer.writeTarStreaming(upper, true, streamed);
        org.junit.jupiter.api.Assertions.assertArrayEquals(tar.toByteArray(), streamed.toByteArray(),
                "the streaming writer gives the same tar as the list one");
        List<TarEntry> entries = entries(tar.toByteArray());
        List<String> names = entries.stream().map(TarEntry::name).toList();
        assertTrue(names.contains(".wh.gone.txt"), names.toString());
        assertTrue(names.contains(".wh.gone-too.txt"), names.toString());
        assertTrue(names.contains(".wh.removed"), names.toString());
        assertTrue(names.contains("sub/deep/.wh.deleted"), names.toString());
        int recreated = names.indexOf("recreated/");
        assertTrue(recreated >= 0, names.toString());
        assertEquals("recreated/.wh..wh..opq", names.get(recreated + 1), "the opaque marker follows its directory");
        assertFalse(names.contains("removed/"), names.toString());
        for (TarEntry e : entries) {
            assertFalse(e.xattrs().keySet().stream().anyMatch(k -> k.contains(".overlay.")), e.name());
            if (e.name().contains(".wh.")) {
                assertEquals(TarEntryType.REGULAR, e.type(), "whiteouts are never hard links: " + e.name());
                assertEquals(0, e.size());
            }
        }
        assertEquals(List.of("added-link"), entries.stream().filter(e -> e.type() == TarEntryType.HARDLINK)
                .map(TarEntry::name).toList());
        assertEquals(names.stream().sorted(OverlayUpperLayerTest::walkOrder).toList(), names,
                "entries are in walk order, whiteouts where the names they delete would be");
        assertTrue(names.indexOf(".wh.removed") > names.indexOf("recreated/new")
                && names.indexOf(".wh.removed") < names.indexOf("sub/"), names.toString());

        LayerBlob base = writer.writeTree(lower);
        LayerBlob layer = writer.writeOverlayUpper(upper);
        Path applied = Files.createDirectory(tmp.resolve("applied"));
        LayerApplier applier = new LayerApplier(posix);
        for (LayerBlob blob : List.of(base, layer)) {
            try (InputStream in = store.open(blob.descriptor().digest())) {
                applier.apply(in, applied);
            }
        }
        assertEquals(withoutDirectoryTimes(mergedView), withoutDirectoryTimes(TreeSnapshot.of(applied, posix)));
        assertEquals(mergedView.get("recreated"), TreeSnapshot.of(applied, posix).get("recreated"));
    }

    @Test
    void renamedDirectoriesAndMetadataOnlyCopies_areRefusedWithAHint() throws Exception {
        PosixFiles posix = PosixFiles.system();
        RootOnly.require(posix.effectiveUid() == 0, "root (to set trusted.overlay xattrs)");
        TreeScanner scanner = new TreeScanner(posix);
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Path renamed = Files.createDirectory(upper.resolve("renamed"));
        posix.setXattr(renamed, "trusted.overlay.redirect", "/old".getBytes());
        LayerException redirect = org.junit.jupiter.api.Assertions.assertThrows(LayerException.class,
                () -> scanner.scanOverlayUpper(upper));
        assertTrue(redirect.getMessage().contains("redirect_dir=off"), redirect.getMessage());
        Files.delete(renamed);
        Path meta = Files.writeString(upper.resolve("meta"), "");
        posix.setXattr(meta, "trusted.overlay.metacopy", new byte[0]);
        LayerException metacopy = org.junit.jupiter.api.Assertions.assertThrows(LayerException.class,
                () -> scanner.scanOverlayUpper(upper));
        assertTrue(metacopy.getMessage().contains("metacopy=off"), metacopy.getMessage());
        assertEquals(1, scanner.scanTree(upper).size(), "a plain tree scan does not interpret overlay xattrs");
    }

    /** Byte order, except that an opaque marker comes right after its directory. */
    /** Go's filepath.Walk order of the paths the entries stand for (an opaque marker: its directory plus "/"). */
    private static int walkOrder(String a, String b) {
        return LayerWriter.walkOrder(key(a), key(b));
    }

    private static byte[] key(String name) {
        String k = name.endsWith("/.wh..wh..opq") ? name.substring(0, name.length() - ".wh..wh..opq".length()) : name;
        k = k.endsWith("/") && !name.endsWith(".opq") ? k.substring(0, k.length() - 1) : k;
        k = k.replaceFirst("(^|/)\\.wh\\.([^/]+)$", "$1$2");
        return k.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Directories that a whiteout was applied in get a new mtime when applying, as with every OCI applier; in the
     * merged view they keep the upper dir's. Compare the rest exactly.
     */
    private static Map<String, String> withoutDirectoryTimes(Map<String, String> snapshot) {
        Map<String, String> out = new java.util.TreeMap<>();
        snapshot.forEach((k, v) -> out.put(k, v.startsWith("DIRECTORY") ? v.replaceAll(" mtime=\\d+", "") : v));
        return out;
    }

    private static List<TarEntry> entries(byte[] tar) throws IOException {
        TarReader reader = new TarReader(new ByteArrayInputStream(tar));
        List<TarEntry> out = new ArrayList<>();
        Optional<TarEntry> e;
        while ((e = reader.next()).isPresent()) {
            out.add(e.get());
        }
        return out;
    }

    /** Mounts the overlay; returns null on success or the reason it failed. */
    private static String mount(String options, Path lower, Path upper, Path work, Path merged) throws Exception {
        String all = (options.isEmpty() ? "" : options + ",") + "lowerdir=" + lower + ",upperdir=" + upper
                + ",workdir=" + work;
        Process p = new ProcessBuilder("mount", "-t", "overlay", "overlay", "-o", all, merged.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        return p.waitFor() == 0 ? null : "mount exited " + p.exitValue() + ": " + out;
    }

    private static void umount(Path merged) throws Exception {
        Process p = new ProcessBuilder("umount", merged.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), "umount failed: " + out);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
