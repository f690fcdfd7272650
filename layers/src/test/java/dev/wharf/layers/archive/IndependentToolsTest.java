package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.compress.LayerCompression;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.testing.PeerTools;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo and umoci, independent implementations of the Docker and OCI formats, accept what wharf saves, and wharf
 * loads what they write; trees unpacked by umoci equal the source tree.
 */
class IndependentToolsTest {
    private static final ImageName APP = ImageName.parse("app:1.0");

    @TempDir
    Path dir;

    private LocalStore store;
    private Path tree;
    private ArchiveTestSupport.Image image;

    private void setUp(LayerCompression compression) throws Exception {
        store = LocalStore.open(dir.resolve("store"));
        tree = dir.resolve("tree");
        ArchiveTestSupport.sampleTree(tree);
        image = ArchiveTestSupport.image(store, tree, APP, compression, List.of("/bin/tool"));
    }

    private ArchiveExporter exporter() {
        return ArchiveExporter.from(store, ArchiveTestSupport.LINUX_AMD64);
    }

    private static String run(String... command) throws Exception {
        return ArchiveTestSupport.run(List.of(command));
    }

    /** Unpacks {@code layout:tag} with umoci and returns the rootfs. */
    private Path umociUnpack(Path layout, String tag, String bundleName) throws Exception {
        Path umoci = PeerTools.require("umoci");
        Path bundle = dir.resolve(bundleName);
        run(umoci.toString(), "unpack", "--image", layout + ":" + tag, bundle.toString());
        return bundle.resolve("rootfs");
    }

    @Test
    void skopeo_inspectsAndCopiesOurDockerArchive_andUmociUnpacksTheCopyToTheSourceTree() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        setUp(LayerCompression.zstd(3));
        Path archive = dir.resolve("app.tar");
        exporter().writeDockerArchive(List.of(APP), DockerLayerFormat.TAR, archive);

        // Selecting the image by name checks that skopeo reads our RepoTags.
        JsonNode inspect = new ObjectMapper().readTree(run(skopeo.toString(), "inspect",
                "docker-archive:" + archive + ":app:1.0"));
        assertEquals("amd64", inspect.get("Architecture").asText());
        assertEquals("linux", inspect.get("Os").asText());
        assertEquals(image.diffIds().get(0).toString(), inspect.get("Layers").get(0).asText());
        assertEquals(image.diffIds().get(0).toString(), new ObjectMapper().readTree(run(skopeo.toString(),
                "inspect", "docker-archive:" + archive)).get("Layers").get(0).asText());

        // skopeo verifies every blob against the manifest and the config's diff IDs while copying.
        Path layout = dir.resolve("copy");
        run(skopeo.toString(), "copy", "-q", "docker-archive:" + archive, "oci:" + layout + ":copied");
        Path rootfs = umociUnpack(layout, "copied", "bundle");
        assertEquals(ArchiveTestSupport.snapshot(tree), ArchiveTestSupport.snapshot(rootfs));
    }

    @Test
    void skopeo_andUmoci_readOurOciLayout_andTheUnpackedTreeEqualsTheSource() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        setUp(LayerCompression.gzip(6, 2));
        Path layout = dir.resolve("layout");
        exporter().writeOciLayout(List.of(APP), layout);

        JsonNode inspect = new ObjectMapper().readTree(run(skopeo.toString(), "inspect", "oci:" + layout + ":1.0"));
        assertEquals(image.manifest().digest().toString(), inspect.get("Digest").asText());
        Path rootfs = umociUnpack(layout, "1.0", "bundle");
        assertEquals(ArchiveTestSupport.snapshot(tree), ArchiveTestSupport.snapshot(rootfs));
    }

    @Test
    void skopeo_readsOurOciArchive() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        setUp(LayerCompression.gzip(6, 2));
        Path archive = dir.resolve("app-oci.tar");
        exporter().writeOciArchive(List.of(APP), archive);
        Path layout = dir.resolve("copy");
        run(skopeo.toString(), "copy", "-q", "oci-archive:" + archive + ":1.0", "oci:" + layout + ":copied");
        JsonNode inspect = new ObjectMapper().readTree(run(skopeo.toString(), "inspect", "oci:" + layout
                + ":copied"));
        assertEquals(image.manifest().digest().toString(), inspect.get("Digest").asText());
    }

    @Test
    void dockerArchiveWrittenBySkopeo_loadsIntoWharf_andUnpacksToTheSourceTree() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        setUp(LayerCompression.gzip(6, 2));
        Path layout = dir.resolve("layout");
        exporter().writeOciLayout(List.of(APP), layout);
        Path archive = dir.resolve("from-skopeo.tar");
        run(skopeo.toString(), "copy", "-q", "oci:" + layout + ":1.0", "docker-archive:" + archive + ":skopeo/app:2");

        LocalStore target = LocalStore.open(dir.resolve("target"));
        ImportResult result = ArchiveImporter.into(target).importFrom(archive);
        assertEquals(ArchiveFormat.DOCKER_ARCHIVE, result.format());
        ImportedImage imported = result.images().get(0);
        assertEquals(List.of(ImageName.parse("skopeo/app:2")), imported.names().stream()
                .map(n -> new ImageName(n.name().replaceFirst("^docker.io/", ""), n.tag())).toList());
        assertEquals(image.config().digest(), imported.configDigest());
        Path unpacked = dir.resolve("unpacked");
        ArchiveTestSupport.unpack(target, imported.target(), unpacked);
        assertEquals(ArchiveTestSupport.snapshot(tree), ArchiveTestSupport.snapshot(unpacked));
    }
}
