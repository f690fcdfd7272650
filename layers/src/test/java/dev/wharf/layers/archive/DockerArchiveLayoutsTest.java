package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarEntryType;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both {@code docker save} layouts load, by {@code manifest.json}, with their tags; so do compressed archives. */
class DockerArchiveLayoutsTest {
    @TempDir
    Path dir;

    private LocalStore store;

    @BeforeEach
    void openStore() throws Exception {
        store = LocalStore.open(dir.resolve("store"));
    }

    @Test
    void legacyLayout_withSymlinkedLayer_loads() throws Exception {
        byte[] layer = TestTar.layerTar();
        // Docker before 25 writes a layer shared by two images once and symlinks the other copy to it.
        TestTar tar = TestTar.legacyArchive(layer, Digest.sha256Of(layer).toString());
        tar.entries.set(2, new TarEntry("0123abcd/layer.tar", TarEntryType.SYMLINK, 0777, 0, 0, 0, 0,
                "../feed/layer.tar", 0, 0, Map.of()));
        tar.contents.set(2, new byte[0]);
        tar.file("feed/layer.tar", layer);
        ImportResult result = ArchiveImporter.into(store).importFrom(tar.writeTo(dir.resolve("old.tar")));
        assertEquals(ArchiveFormat.DOCKER_ARCHIVE, result.format());
        assertEquals(List.of(ImageName.parse("old:1")), result.images().get(0).names());
        assertTrue(store.blobs().exists(Digest.sha256Of(layer)));
        assertTrue(store.images().resolve(ImageName.parse("old:1")).isPresent());
    }

    @Test
    void docker25Layout_isReadByManifestJson_andNamedByRepoTags() throws Exception {
        byte[] layer = TestTar.layerTar();
        Digest layerDigest = Digest.sha256Of(layer);
        byte[] config = String.format(TestTar.CONFIG, layerDigest).getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256Of(config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":"
                + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = Digest.sha256Of(manifest);
        String blobs = "blobs/sha256/";
        // As dockerd 26 writes it: OCI blobs and index.json (tag only in ref.name) beside manifest.json.
        TestTar tar = new TestTar()
                .file(blobs + configDigest.hex(), config)
                .file(blobs + layerDigest.hex(), layer)
                .file(blobs + manifestDigest.hex(), manifest)
                .file("index.json", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                        + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                        + manifestDigest + "\",\"size\":" + manifest.length + ",\"annotations\":{"
                        + "\"io.containerd.image.name\":\"docker.io/library/new:2\","
                        + "\"org.opencontainers.image.ref.name\":\"2\"}}]}")
                .file("manifest.json", "[{\"Config\":\"" + blobs + configDigest.hex() + "\",\"RepoTags\":"
                        + "[\"new:2\"],\"Layers\":[\"" + blobs + layerDigest.hex() + "\"],\"LayerSources\":{\""
                        + layerDigest + "\":{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":"
                        + layer.length + ",\"digest\":\"" + layerDigest + "\"}}}]")
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("repositories", "{\"new\":{\"2\":\"" + configDigest.hex() + "\"}}");

        ImportedImage image = ArchiveImporter.into(store).importFrom(tar.writeTo(dir.resolve("new.tar")))
                .images().get(0);
        assertEquals(List.of(ImageName.parse("new:2")), image.names());
        assertEquals(configDigest, image.configDigest());
        ImageManifest stored = store.reader().readManifest(image.target());
        assertEquals(MediaTypes.OCI_LAYER_TAR, stored.layers().get(0).mediaType());
        assertEquals(layerDigest, stored.layers().get(0).digest());
    }

    @Test
    void gzipCompressedArchive_loadsAsDockerLoadAcceptsIt() throws Exception {
        byte[] layer = TestTar.layerTar();
        Path plain = TestTar.legacyArchive(layer, Digest.sha256Of(layer).toString()).writeTo(dir.resolve("a.tar"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(Files.readAllBytes(plain));
        }
        Path compressed = Files.write(dir.resolve("a.tar.gz"), gz.toByteArray());
        ImportResult result = ArchiveImporter.into(store).importFrom(compressed);
        assertEquals(List.of(ImageName.parse("old:1")), result.images().get(0).names());
    }

    @Test
    void gzipLayerInADockerArchive_keepsItsBlobAndChecksTheDiffIdOfItsContent() throws Exception {
        byte[] layer = TestTar.layerTar();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(layer);
        }
        TestTar tar = TestTar.legacyArchive(gz.toByteArray(), Digest.sha256Of(layer).toString());
        ImportedImage image = ArchiveImporter.into(store).importFrom(tar.writeTo(dir.resolve("gz.tar")))
                .images().get(0);
        ImageManifest stored = store.reader().readManifest(image.target());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, stored.layers().get(0).mediaType());
        assertEquals(Digest.sha256Of(gz.toByteArray()), stored.layers().get(0).digest());
    }
}
