package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives that try to escape, lie about digests or lack blobs are refused with a message naming the problem. */
class HostileArchiveTest {
    @TempDir
    Path dir;

    private LocalStore store;

    @BeforeEach
    void openStore() throws Exception {
        store = LocalStore.open(dir.resolve("store"));
    }

    private LayerException refused(Path archive) {
        return assertThrows(LayerException.class, () -> ArchiveImporter.into(store).importFrom(archive));
    }

    @Test
    void entryNameWithDotDot_isRefusedAsPathTraversal() throws Exception {
        Path archive = TestTar.legacyArchive(TestTar.layerTar(), Digest.sha256Of(TestTar.layerTar()).toString())
                .file("../../etc/evil", "x").writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("path traversal") && e.getMessage().contains("../../etc/evil"),
                e.getMessage());
    }

    @Test
    void absoluteEntryName_isRefused() throws Exception {
        Path archive = new TestTar().file("/etc/passwd", "x").writeTo(dir.resolve("a.tar"));
        assertTrue(refused(archive).getMessage().contains("absolute"));
    }

    @Test
    void symlinkLeavingTheArchive_isRefused() throws Exception {
        Path archive = new TestTar().link("manifest.json", TarEntryType.SYMLINK, "../../../etc/passwd")
                .writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("outside the archive"), e.getMessage());
    }

    @Test
    void manifestPathWithDotDot_isRefused() throws Exception {
        Path archive = new TestTar().file("manifest.json",
                "[{\"Config\":\"../outside.json\",\"RepoTags\":[],\"Layers\":[]}]").writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("path traversal"), e.getMessage());
    }

    @Test
    void missingLayer_isReportedByPath() throws Exception {
        TestTar tar = TestTar.legacyArchive(TestTar.layerTar(), Digest.sha256Of(TestTar.layerTar()).toString());
        tar.entries.remove(2);
        tar.contents.remove(2);
        LayerException e = refused(tar.writeTo(dir.resolve("a.tar")));
        assertTrue(e.getMessage().contains("lacks 0123abcd/layer.tar"), e.getMessage());
    }

    @Test
    void layerNotMatchingTheConfigDiffId_isRefused() throws Exception {
        Path archive = TestTar.legacyArchive(TestTar.layerTar(), Digest.sha256Of(new byte[] {1}).toString())
                .writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("diff ID") && e.getMessage().contains("tampered"), e.getMessage());
    }

    @Test
    void blobNotMatchingItsName_isRefused() throws Exception {
        String wrong = Digest.sha256Of("something else".getBytes(StandardCharsets.UTF_8)).hex();
        Path archive = new TestTar().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("blobs/sha256/" + wrong, "not what the name says").writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("blobs/sha256/" + wrong) && e.getMessage().contains("digest"),
                e.getMessage());
        assertTrue(!store.blobs().exists(Digest.sha256(wrong)), "nothing is stored under the false name");
    }

    @Test
    void configNotMatchingItsImageIdName_isRefused() throws Exception {
        TestTar tar = TestTar.legacyArchive(TestTar.layerTar(), Digest.sha256Of(TestTar.layerTar()).toString());
        String configName = tar.entries.get(3).name();
        tar.contents.set(3, (new String(tar.contents.get(3), StandardCharsets.UTF_8) + " ")
                .getBytes(StandardCharsets.UTF_8));
        tar.entries.set(3, new TarEntry(configName, TarEntryType.REGULAR, 0644, 0, 0, tar.contents.get(3).length,
                0, "", 0, 0, Map.of()));
        LayerException e = refused(tar.writeTo(dir.resolve("a.tar")));
        assertTrue(e.getMessage().contains(configName) && e.getMessage().contains("tampered"), e.getMessage());
    }

    @Test
    void ociIndexPointingToAMissingManifest_isRefused() throws Exception {
        String missing = Digest.sha256Of("gone".getBytes(StandardCharsets.UTF_8)).toString();
        Path archive = new TestTar().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + missing
                        + "\",\"size\":4}]}")
                .writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("lacks blobs/sha256/"), e.getMessage());
    }

    @Test
    void duplicateEntries_areRefused() throws Exception {
        Path archive = new TestTar().file("manifest.json", "[]").file("./manifest.json", "[]")
                .writeTo(dir.resolve("a.tar"));
        assertTrue(refused(archive).getMessage().contains("appears twice"));
    }

    @Test
    void deviceEntries_areRefused() throws Exception {
        TestTar tar = new TestTar();
        tar.entries.add(new TarEntry("null", TarEntryType.CHAR_DEVICE, 0666, 0, 0, 0, 0, "", 1, 3, Map.of()));
        tar.contents.add(new byte[0]);
        assertTrue(refused(tar.writeTo(dir.resolve("a.tar"))).getMessage().contains("never contain"));
    }

    @Test
    void truncatedArchive_isRefused() throws Exception {
        Path archive = TestTar.legacyArchive(TestTar.layerTar(), Digest.sha256Of(TestTar.layerTar()).toString())
                .writeTo(dir.resolve("a.tar"));
        byte[] bytes = Files.readAllBytes(archive);
        Files.write(archive, java.util.Arrays.copyOf(bytes, 1500));
        assertTrue(refused(archive).getMessage().contains("truncated"));
    }

    /** GZIPInputStream's EOFException has no message: this used to say "cannot decompress layer ...: null". */
    @Test
    void aGzipLayerCutInsideItsHeader_isRefusedSayingItEnded() throws Exception {
        byte[] cut = {0x1f, (byte) 0x8b, 8, 0, 0};
        Path archive = TestTar.legacyArchive(cut, Digest.sha256Of(TestTar.layerTar()).toString())
                .writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("cannot decompress layer") && e.getMessage().contains("unexpected end of "
                + "stream; the layer is corrupted"), e.getMessage());
    }

    @Test
    void preDocker110Archive_andUnknownContent_getClearMessages() throws Exception {
        Path legacy = new TestTar().file("repositories", "{}").writeTo(dir.resolve("legacy.tar"));
        assertTrue(refused(legacy).getMessage().contains("before 1.10"));
        Path other = new TestTar().file("README", "hi").writeTo(dir.resolve("other.tar"));
        assertTrue(refused(other).getMessage().contains("neither a docker save archive"));
        Path notTar = Files.writeString(dir.resolve("text.tar"), "just text, no tar here");
        assertTrue(refused(notTar).getMessage().contains("archive"));
        assertTrue(refused(dir.resolve("absent.tar")).getMessage().contains("no such file"));
    }

    @Test
    void ociLayoutDirectory_withACorruptedOrMissingLayer_isRefused() throws Exception {
        LocalStore source = LocalStore.open(dir.resolve("source"));
        Path tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(source, tree, ImageName.parse("app:1"),
                LayerCompression.gzip(6, 1), List.of("/bin/tool"));
        Path layout = dir.resolve("layout");
        ArchiveExporter.from(source, ArchiveTestSupport.LINUX_AMD64)
                .writeOciLayout(List.of(ImageName.parse("app:1")), layout);
        Digest layer = source.reader().readManifest(image.manifest()).layers().get(0).digest();
        Path layerFile = layout.resolve("blobs/sha256/" + layer.hex());
        byte[] bytes = Files.readAllBytes(layerFile);
        bytes[bytes.length / 2] ^= 1;
        Files.write(layerFile, bytes);
        LayerException corrupted = refused(layout);
        assertTrue(corrupted.getMessage().contains("does not match") && corrupted.getMessage().contains(layer.hex()),
                corrupted.getMessage());
        assertTrue(!store.blobs().exists(layer), "the corrupted layer is not stored");
        Files.delete(layerFile);
        LayerException missing = refused(layout);
        assertTrue(missing.getMessage().contains("lacks blobs/sha256/" + layer.hex()), missing.getMessage());
        assertTrue(store.images().list().isEmpty(), "nothing is named");
    }
}
