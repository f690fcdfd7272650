package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileImageStoreTest {
    @TempDir
    Path root;

    @Test
    void open_writesAnEmptyOciIndex() throws Exception {
        LocalStore.open(root);
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
                Files.readString(root.resolve("index.json")));
    }

    @Test
    void theEmptyIndexANewStoreWrites_isWhatTheCodecWritesForIt() throws Exception {
        LocalStore store = LocalStore.open(root);
        assertEquals(new String(store.json().write(ImageIndex.oci(List.of())), StandardCharsets.UTF_8),
                FileImageStore.EMPTY_INDEX);
        assertEquals(FileImageStore.EMPTY_INDEX, Files.readString(root.resolve("index.json")));
    }

    @Test
    void tag_thenResolve_returnsTheManifestWithItsRefName() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "hello.txt");
        store.images().tag(ImageName.parse("app:1.0"), image.manifest());
        Descriptor resolved = store.images().resolve(ImageName.parse("app:1.0")).orElseThrow();
        assertEquals(image.manifest().digest(), resolved.digest());
        assertEquals(image.manifest().size(), resolved.size());
        assertEquals(MediaTypes.OCI_MANIFEST, resolved.mediaType());
        assertEquals("app:1.0", resolved.annotations().get(Descriptor.REF_NAME_ANNOTATION));
        assertTrue(store.images().resolve(ImageName.parse("app:2.0")).isEmpty());
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                + image.manifest().digest() + "\",\"size\":" + image.manifest().size() + ","
                + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"app:1.0\"}}]}",
                Files.readString(root.resolve("index.json")));
    }

    @Test
    void tag_ofAnExistingName_replacesItInPlace() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written first = TestImages.write(store, "one");
        TestImages.Written second = TestImages.write(store, "two");
        store.images().tag(ImageName.parse("a"), first.manifest());
        store.images().tag(ImageName.parse("b"), first.manifest());
        store.images().tag(ImageName.parse("a"), second.manifest());
        List<TaggedImage> images = store.images().list();
        assertEquals(List.of("a:latest", "b:latest"), images.stream().map(TaggedImage::refName).toList());
        assertEquals(second.manifest().digest(), images.get(0).descriptor().digest());
        assertEquals(first.manifest().digest(), images.get(1).descriptor().digest());
    }

    @Test
    void spellingsOfOneDockerName_areOneTag_asDockerNormalisesThem() throws Exception {
        // distribution/reference ParseNormalizedNamed: hello, docker.io/library/hello and index.docker.io/library/hello
        // are one name; docker images shows it once and docker rmi of any spelling removes it.
        LocalStore store = LocalStore.open(root);
        TestImages.Written first = TestImages.write(store, "one");
        TestImages.Written second = TestImages.write(store, "two");
        store.images().tag(ImageName.parse("docker.io/library/hello:1"), first.manifest());
        store.images().tag(ImageName.parse("hello:1"), second.manifest());
        store.images().tag(ImageName.parse("localhost:5000/hello:1"), first.manifest());
        assertEquals(List.of("hello:1", "localhost:5000/hello:1"),
                store.images().list().stream().map(TaggedImage::refName).toList());
        assertEquals(second.manifest().digest(),
                store.images().resolve(ImageName.parse("index.docker.io/library/hello:1")).orElseThrow().digest());
        assertTrue(store.images().untag(ImageName.parse("docker.io/library/hello:1")));
        assertEquals(List.of("localhost:5000/hello:1"),
                store.images().list().stream().map(TaggedImage::refName).toList());
    }

    @Test
    void untag_removesOnlyThatName() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        store.images().tag(ImageName.parse("a:1"), image.manifest());
        store.images().tag(ImageName.parse("a:2"), image.manifest());
        assertTrue(store.images().untag(ImageName.parse("a:1")));
        assertFalse(store.images().untag(ImageName.parse("a:1")));
        assertEquals(List.of("a:2"), store.images().list().stream().map(TaggedImage::refName).toList());
        assertTrue(store.blobs().exists(image.manifest().digest()));
    }

    @Test
    void tag_refusesATargetWhoseLayerIsMissingAndLeavesTheIndexAlone() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        String before = Files.readString(root.resolve("index.json"));
        store.blobs().delete(image.layers().get(0).digest());
        LayerException e = assertThrows(LayerException.class,
                () -> store.images().tag(ImageName.parse("broken"), image.manifest()));
        assertTrue(e.getMessage().contains(image.layers().get(0).digest().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("cannot tag broken:latest"), e.getMessage());
        assertEquals(before, Files.readString(root.resolve("index.json")));
    }

    @Test
    void tag_refusesAMissingManifest() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        store.blobs().delete(image.manifest().digest());
        assertThrows(LayerException.class, () -> store.images().tag(ImageName.parse("x"), image.manifest()));
    }

    @Test
    void tag_refusesSomethingThatIsNotAManifestOrIndex() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        assertThrows(IllegalArgumentException.class, () -> store.images().tag(ImageName.parse("x"), image.config()));
    }

    @Test
    void tag_acceptsAnIndexWhoseOtherPlatformsAreNotStored() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written amd64 = TestImages.write(store, "one");
        TestImages.Written arm64 = TestImages.write(store, "two");
        store.blobs().delete(arm64.manifest().digest());
        Descriptor index = store.writer().writeIndex(ImageIndex.oci(List.of(amd64.manifest(), arm64.manifest())));
        store.images().tag(ImageName.parse("multi:1"), index);
        assertEquals(index.digest(), store.images().resolve(ImageName.parse("multi:1")).orElseThrow().digest());
    }

    @Test
    void entriesWrittenByOtherTools_arePreserved() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        String foreign = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"digest\":\"" + image.manifest().digest() + "\",\"size\":" + image.manifest().size()
                + ",\"annotations\":{\"org.example\":\"kept\"}}],\"x-tool\":1}";
        Files.writeString(root.resolve("index.json"), foreign);
        store.images().tag(ImageName.parse("mine"), image.manifest());
        store.images().untag(ImageName.parse("mine"));
        String after = Files.readString(root.resolve("index.json"));
        assertTrue(after.contains("\"org.example\":\"kept\""), after);
        assertTrue(after.endsWith(",\"x-tool\":1}"), after);
        assertTrue(store.images().list().isEmpty());
    }

    @Test
    void names_surviveReopeningTheStore() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        store.images().tag(ImageName.parse("localhost:5000/team/app:v1"), image.manifest());
        LocalStore reopened = LocalStore.open(root);
        assertEquals(store.images().list(), reopened.images().list());
        ImageManifest manifest = reopened.reader().readManifest(
                reopened.images().resolve(ImageName.parse("localhost:5000/team/app:v1")).orElseThrow());
        assertEquals(image.config().digest(), manifest.config().digest());
    }

    @Test
    void corruptIndexJson_isReportedWithWhatToDo() throws Exception {
        LocalStore store = LocalStore.open(root);
        Files.writeString(root.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[", StandardCharsets.UTF_8);
        LayerException e = assertThrows(LayerException.class, () -> store.images().list());
        assertTrue(e.getMessage().contains(root.resolve("index.json") + " is damaged, not a valid OCI image index"),
                e.getMessage());
        assertTrue(e.getMessage().contains("run wharf doctor --repair"), e.getMessage());
    }

    @Test
    void repairOfATornIndex_keepsOnlyCompleteEntriesWhoseManifestIsStored() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written a = TestImages.write(store, "a");
        TestImages.Written b = TestImages.write(store, "b");
        TestImages.Written c = TestImages.write(store, "c");
        store.images().tag(ImageName.parse("a:1"), a.manifest());
        store.images().tag(ImageName.parse("b:1"), b.manifest());
        store.images().tag(ImageName.parse("c:1"), c.manifest());
        String whole = Files.readString(root.resolve("index.json"));
        String torn = whole.substring(0, whole.indexOf("c:1"));
        Files.writeString(root.resolve("index.json"), torn);
        Files.delete(root.resolve("blobs/sha256").resolve(b.manifest().digest().hex()));

        List<StoreProblem> found = store.checker().check(false);
        assertEquals(StoreProblem.Kind.DAMAGED_INDEX, found.get(0).kind(), found.toString());
        assertFalse(found.get(0).repaired());
        assertEquals(torn, Files.readString(root.resolve("index.json")));

        List<StoreProblem> repaired = store.checker().check(true);
        assertTrue(repaired.get(0).repaired(), repaired.toString());
        assertTrue(repaired.get(0).detail().contains("1 complete entries it still held (a:1)"), repaired.toString());
        assertEquals(List.of("a:1"), store.images().list().stream().map(TaggedImage::refName).toList());
        assertTrue(store.blobs().exists(c.manifest().digest()), "the repair deletes no blob");
        assertTrue(store.checker().check(false).isEmpty(), "the new index is sound");
    }

    @Test
    void readManifest_detectsADescriptorWhoseSizeDisagreesWithTheBlob() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        Descriptor wrongSize = Descriptor.of(image.manifest().mediaType(), image.manifest().digest(),
                image.manifest().size() + 1);
        LayerException e = assertThrows(LayerException.class, () -> store.reader().readManifest(wrongSize));
        assertTrue(e.getMessage().contains("its descriptor says"), e.getMessage());
    }
}
