package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images saved by wharf load back into another store unchanged, in every format, and the bytes are stable. */
class ArchiveRoundTripTest {
    private static final ImageName APP = ImageName.parse("app:1.0");
    private static final ImageName APP_LATEST = ImageName.parse("localhost:5000/team/app");

    @TempDir
    Path dir;

    private LocalStore source() throws Exception {
        return LocalStore.open(dir.resolve("source"));
    }

    @Test
    void dockerArchive_roundTrip_keepsConfigDiffIdsTagsAndTree() throws Exception {
        LocalStore source = source();
        Path tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(source, tree, APP,
                LayerCompression.gzip(6, 2), List.of("/bin/tool"));
        source.images().tag(APP_LATEST, image.manifest());
        Path archive = dir.resolve("app.tar");
        ArchiveExporter.from(source, ArchiveTestSupport.LINUX_AMD64)
                .writeDockerArchive(List.of(APP, APP_LATEST), DockerLayerFormat.TAR, archive);

        LocalStore target = LocalStore.open(dir.resolve("target"));
        ImportResult result = ArchiveImporter.into(target).importFrom(archive);

        assertEquals(ArchiveFormat.DOCKER_ARCHIVE, result.format());
        assertEquals(1, result.images().size());
        ImportedImage imported = result.images().get(0);
        assertEquals(List.of(APP, APP_LATEST), imported.names());
        assertEquals(image.config().digest(), imported.configDigest(), "the image ID survives");
        assertEquals(Optional.of(imported.target().digest()),
                target.images().resolve(APP).map(Descriptor::digest));
        ImageManifest manifest = target.reader().readManifest(imported.target());
        assertEquals(MediaTypes.OCI_LAYER_TAR, manifest.layers().get(0).mediaType(),
                "docker-archive layers are stored as they come: uncompressed");
        assertEquals(image.diffIds().get(0), manifest.layers().get(0).digest());
        ImageConfiguration config = target.reader().readConfig(manifest.config());
        assertEquals(List.of("/bin/tool"), config.config().cmd());

        Path unpacked = dir.resolve("unpacked");
        ArchiveTestSupport.unpack(target, imported.target(), unpacked);
        assertEquals(ArchiveTestSupport.snapshot(tree), ArchiveTestSupport.snapshot(unpacked));
    }

    @Test
    void dockerArchive_hasDockerLoadLayout_sortedEntriesAndFixedHeaders() throws Exception {
        LocalStore source = source();
        Path tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(source, tree, APP,
                LayerCompression.zstd(3), List.of("/bin/tool"));
        ArchiveExporter exporter = ArchiveExporter.from(source, ArchiveTestSupport.LINUX_AMD64);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        exporter.writeDockerArchive(List.of(APP), DockerLayerFormat.TAR, first);
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        exporter.writeDockerArchive(List.of(APP), DockerLayerFormat.TAR, second);
        assertArrayEquals(first.toByteArray(), second.toByteArray(), "saving twice gives the same bytes");

        List<String> names = new ArrayList<>();
        byte[] manifestJson = null;
        TarReader tar = new TarReader(new ByteArrayInputStream(first.toByteArray()));
        Optional<TarEntry> next;
        while ((next = tar.next()).isPresent()) {
            TarEntry e = next.get();
            names.add(e.name());
            assertEquals(0, e.mtime());
            assertEquals(0, e.uid());
            if (e.name().equals("manifest.json")) {
                manifestJson = tar.content().readAllBytes();
            }
        }
        String layer = "blobs/sha256/" + image.diffIds().get(0).hex();
        String config = "blobs/sha256/" + image.config().digest().hex();
        List<String> expected = new ArrayList<>(List.of("blobs/", "blobs/sha256/", config, layer, "manifest.json"));
        expected.sort(null);
        assertEquals(expected, names);
        JsonNode manifest = new ObjectMapper().readTree(manifestJson);
        assertEquals(config, manifest.get(0).get("Config").asText());
        assertEquals("app:1.0", manifest.get(0).get("RepoTags").get(0).asText());
        assertEquals(layer, manifest.get(0).get("Layers").get(0).asText(),
                "a zstd layer is written decompressed, named by its diff ID");
    }

    @Test
    void dockerArchive_storedGzip_keepsGzipLayersAndLoadsBack() throws Exception {
        LocalStore source = source();
        Path tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(source, tree, APP,
                LayerCompression.gzip(6, 1), List.of("/bin/tool"));
        Path archive = dir.resolve("app.tar");
        ArchiveExporter.from(source, ArchiveTestSupport.LINUX_AMD64)
                .writeDockerArchive(List.of(APP), DockerLayerFormat.STORED_GZIP, archive);

        LocalStore target = LocalStore.open(dir.resolve("target"));
        ImportedImage imported = ArchiveImporter.into(target).importFrom(archive).images().get(0);
        ImageManifest original = source.reader().readManifest(image.manifest());
        ImageManifest loaded = target.reader().readManifest(imported.target());
        assertEquals(original.layers(), loaded.layers(), "the gzip blob and its media type are unchanged");
        assertEquals(original, loaded, "same config and layers: even the manifest digest survives");
        assertEquals(image.manifest().digest(), imported.target().digest());
    }

    @Test
    void ociArchive_roundTrip_keepsManifestDigestAndNames() throws Exception {
        LocalStore source = source();
        Path tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(source, tree, APP,
                LayerCompression.gzip(6, 2), List.of("/bin/tool"));
        Path archive = dir.resolve("app-oci.tar");
        ArchiveExporter exporter = ArchiveExporter.from(source, ArchiveTestSupport.LINUX_AMD64);
        exporter.writeOciArchive(List.of(APP), archive);
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        exporter.writeOciArchive(List.of(APP), again);
        assertArrayEquals(Files.readAllBytes(archive), again.toByteArray(), "saving twice gives the same bytes");

        LocalStore target = LocalStore.open(dir.resolve("target"));
        ImportResult result = ArchiveImporter.into(target).importFrom(archive);
        assertEquals(ArchiveFormat.OCI_ARCHIVE, result.format());
        assertEquals(List.of(APP), result.images().get(0).names());
        assertEquals(image.manifest().digest(), result.images().get(0).target().digest());
        assertEquals(image.config().digest(), result.images().get(0).configDigest());
        for (Descriptor layer : source.reader().readManifest(image.manifest()).layers()) {
            assertArrayEquals(ArchiveTestSupport.bytes(source.blobs(), layer.digest()),
                    ArchiveTestSupport.bytes(target.blobs(), layer.digest()));
        }
    }

    @Test
    void ociLayout_namesEntriesByTagAndFullName_andAddsToAnExistingLayout() throws Exception {
        LocalStore source = source();
        Path tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(source, tree, APP,
                LayerCompression.gzip(6, 2), List.of("/bin/tool"));
        source.images().tag(APP_LATEST, image.manifest());
        Path layout = dir.resolve("layout");
        ArchiveExporter exporter = ArchiveExporter.from(source, ArchiveTestSupport.LINUX_AMD64);
        exporter.writeOciLayout(List.of(APP), layout);
        exporter.writeOciLayout(List.of(APP_LATEST, APP), layout);

        JsonNode index = new ObjectMapper().readTree(layout.resolve("index.json").toFile());
        assertEquals(2, index.get("manifests").size(), "the second save replaced the entry tagged 1.0");
        JsonNode first = index.get("manifests").get(0);
        assertEquals("latest", first.get("annotations").get(Descriptor.REF_NAME_ANNOTATION).asText());
        assertEquals("localhost:5000/team/app:latest",
                first.get("annotations").get(Descriptor.CONTAINERD_NAME_ANNOTATION).asText());
        assertTrue(Files.isRegularFile(layout.resolve("oci-layout")));

        LocalStore target = LocalStore.open(dir.resolve("target"));
        ImportResult result = ArchiveImporter.into(target).importFrom(layout);
        assertEquals(ArchiveFormat.OCI_LAYOUT, result.format());
        assertEquals(1, result.images().size(), "two names of one manifest make one image");
        assertEquals(List.of(APP_LATEST, APP), result.images().get(0).names());
        assertEquals(image.manifest().digest(), result.images().get(0).target().digest());
    }

    @Test
    void ociLayout_bareTags_areNamedOnlyWithARepository() throws Exception {
        LocalStore source = source();
        Path tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        ArchiveTestSupport.Image image = ArchiveTestSupport.image(source, tree, APP,
                LayerCompression.gzip(6, 2), List.of("/bin/tool"));
        Path layout = dir.resolve("layout");
        ArchiveExporter.from(source, ArchiveTestSupport.LINUX_AMD64).writeOciLayout(List.of(APP), layout);
        // As skopeo and umoci write it: only the tag.
        String index = Files.readString(layout.resolve("index.json"))
                .replace("\"" + Descriptor.CONTAINERD_NAME_ANNOTATION + "\":\"app:1.0\",", "");
        Files.writeString(layout.resolve("index.json"), index);

        LocalStore unnamed = LocalStore.open(dir.resolve("unnamed"));
        ImportedImage plain = ArchiveImporter.into(unnamed).importFrom(layout).images().get(0);
        assertEquals(List.of(), plain.names());
        assertEquals(image.manifest().digest(), plain.target().digest());

        LocalStore named = LocalStore.open(dir.resolve("named"));
        ImportedImage withRepo = ArchiveImporter.into(named).withBareTagRepository("imported/app")
                .importFrom(layout).images().get(0);
        assertEquals(List.of(ImageName.parse("imported/app:1.0")), withRepo.names());
        assertNull(named.images().resolve(APP).orElse(null));
    }
}
