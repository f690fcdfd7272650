package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import dev.wharf.layers.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** A tar being assembled entry by entry. */
    private static final class Tar {
        private final List<TarEntry> entries = new ArrayList<>();
        private final List<byte[]> contents = new ArrayList<>();

        Tar file(String name, byte[] content) {
            entries.add(new TarEntry(name, TarEntryType.REGULAR, 0644, 0, 0, content.length, 0, "", 0, 0, Map.of()));
            contents.add(content);
            return this;
        }

        Tar file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        Tar link(String name, TarEntryType type, String target) {
            entries.add(new TarEntry(name, type, 0777, 0, 0, 0, 0, target, 0, 0, Map.of()));
            contents.add(new byte[0]);
            return this;
        }

        Path writeTo(Path file) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TarWriter tar = new TarWriter(out);
            for (int i = 0; i < entries.size(); i++) {
                tar.putEntry(entries.get(i));
                tar.write(contents.get(i), 0, contents.get(i).length);
            }
            tar.finish();
            Files.write(file, out.toByteArray());
            return file;
        }
    }

    private static final String CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}";

    private static byte[] layerTar() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out);
        byte[] content = "hello\n".getBytes(StandardCharsets.UTF_8);
        tar.putEntry(new TarEntry("hello.txt", TarEntryType.REGULAR, 0644, 0, 0, content.length, 0, "", 0, 0,
                Map.of()));
        tar.write(content, 0, content.length);
        tar.finish();
        return out.toByteArray();
    }

    /** A valid old-layout docker save archive ({@code <id>/layer.tar}, {@code <hex>.json}). */
    private Tar legacyArchive(byte[] layer, String diffId) {
        byte[] config = String.format(CONFIG, diffId).getBytes(StandardCharsets.UTF_8);
        String configName = Digest.sha256Of(config).hex() + ".json";
        return new Tar()
                .file("0123abcd/VERSION", "1.0")
                .file("0123abcd/json", "{}")
                .file("0123abcd/layer.tar", layer)
                .file(configName, config)
                .file("manifest.json", "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"old:1\"],"
                        + "\"Layers\":[\"0123abcd/layer.tar\"]}]")
                .file("repositories", "{\"old\":{\"1\":\"0123abcd\"}}");
    }

    private LayerException refused(Path archive) {
        return assertThrows(LayerException.class, () -> ArchiveImporter.into(store).importFrom(archive));
    }

    @Test
    void legacyDockerLayout_withSymlinkedLayer_loads() throws Exception {
        byte[] layer = layerTar();
        // Docker before 25 writes a layer shared by two images once and symlinks the other copy to it.
        Tar tar = legacyArchive(layer, Digest.sha256Of(layer).toString());
        tar.entries.set(2, new TarEntry("0123abcd/layer.tar", TarEntryType.SYMLINK, 0777, 0, 0, 0, 0,
                "../feed/layer.tar", 0, 0, Map.of()));
        tar.contents.set(2, new byte[0]);
        tar.file("feed/layer.tar", layer);
        ImportResult result = ArchiveImporter.into(store).importFrom(tar.writeTo(dir.resolve("old.tar")));
        assertEquals(ArchiveFormat.DOCKER_ARCHIVE, result.format());
        assertEquals("old:1", result.images().get(0).names().get(0).toString());
        assertTrue(store.blobs().exists(Digest.sha256Of(layer)));
    }

    @Test
    void entryNameWithDotDot_isRefusedAsPathTraversal() throws Exception {
        Path archive = legacyArchive(layerTar(), Digest.sha256Of(layerTar()).toString())
                .file("../../etc/evil", "x").writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("path traversal") && e.getMessage().contains("../../etc/evil"),
                e.getMessage());
    }

    @Test
    void absoluteEntryName_isRefused() throws Exception {
        Path archive = new Tar().file("/etc/passwd", "x").writeTo(dir.resolve("a.tar"));
        assertTrue(refused(archive).getMessage().contains("absolute"));
    }

    @Test
    void symlinkLeavingTheArchive_isRefused() throws Exception {
        Path archive = new Tar().link("manifest.json", TarEntryType.SYMLINK, "../../../etc/passwd")
                .writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("outside the archive"), e.getMessage());
    }

    @Test
    void manifestPathWithDotDot_isRefused() throws Exception {
        Path archive = new Tar().file("manifest.json",
                "[{\"Config\":\"../outside.json\",\"RepoTags\":[],\"Layers\":[]}]").writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("path traversal"), e.getMessage());
    }

    @Test
    void missingLayer_isReportedByPath() throws Exception {
        Tar tar = legacyArchive(layerTar(), Digest.sha256Of(layerTar()).toString());
        tar.entries.remove(2);
        tar.contents.remove(2);
        LayerException e = refused(tar.writeTo(dir.resolve("a.tar")));
        assertTrue(e.getMessage().contains("lacks 0123abcd/layer.tar"), e.getMessage());
    }

    @Test
    void layerNotMatchingTheConfigDiffId_isRefused() throws Exception {
        Path archive = legacyArchive(layerTar(), Digest.sha256Of(new byte[] {1}).toString())
                .writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("diff ID") && e.getMessage().contains("tampered"), e.getMessage());
    }

    @Test
    void blobNotMatchingItsName_isRefused() throws Exception {
        String wrong = Digest.sha256Of("something else".getBytes(StandardCharsets.UTF_8)).hex();
        Path archive = new Tar().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("blobs/sha256/" + wrong, "not what the name says").writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("blobs/sha256/" + wrong) && e.getMessage().contains("digest"),
                e.getMessage());
        assertTrue(!store.blobs().exists(Digest.sha256(wrong)), "nothing is stored under the false name");
    }

    @Test
    void configNotMatchingItsImageIdName_isRefused() throws Exception {
        Tar tar = legacyArchive(layerTar(), Digest.sha256Of(layerTar()).toString());
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
        Path archive = new Tar().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + missing
                        + "\",\"size\":4}]}")
                .writeTo(dir.resolve("a.tar"));
        LayerException e = refused(archive);
        assertTrue(e.getMessage().contains("lacks blobs/sha256/"), e.getMessage());
    }

    @Test
    void duplicateEntries_areRefused() throws Exception {
        Path archive = new Tar().file("manifest.json", "[]").file("./manifest.json", "[]")
                .writeTo(dir.resolve("a.tar"));
        assertTrue(refused(archive).getMessage().contains("appears twice"));
    }

    @Test
    void deviceEntries_areRefused() throws Exception {
        Tar tar = new Tar();
        tar.entries.add(new TarEntry("null", TarEntryType.CHAR_DEVICE, 0666, 0, 0, 0, 0, "", 1, 3, Map.of()));
        tar.contents.add(new byte[0]);
        assertTrue(refused(tar.writeTo(dir.resolve("a.tar"))).getMessage().contains("never contain"));
    }

    @Test
    void truncatedArchive_isRefused() throws Exception {
        Path archive = legacyArchive(layerTar(), Digest.sha256Of(layerTar()).toString())
                .writeTo(dir.resolve("a.tar"));
        byte[] bytes = Files.readAllBytes(archive);
        Files.write(archive, java.util.Arrays.copyOf(bytes, 1500));
        assertTrue(refused(archive).getMessage().contains("truncated"));
    }

    @Test
    void preDocker110Archive_andUnknownContent_getClearMessages() throws Exception {
        Path legacy = new Tar().file("repositories", "{}").writeTo(dir.resolve("legacy.tar"));
        assertTrue(refused(legacy).getMessage().contains("before 1.10"));
        Path other = new Tar().file("README", "hi").writeTo(dir.resolve("other.tar"));
        assertTrue(refused(other).getMessage().contains("neither a docker save archive"));
        Path notTar = Files.writeString(dir.resolve("text.tar"), "just text, no tar here");
        assertTrue(refused(notTar).getMessage().contains("archive"));
        assertTrue(refused(dir.resolve("absent.tar")).getMessage().contains("no such file"));
    }
}
