package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.blob.BlobStoreOptions;
import dev.wharf.layers.image.ImageIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
    private static final GcOptions NO_GRACE = GcOptions.defaults().withGracePeriod(Duration.ZERO);

    @TempDir
    Path root;

    @Test
    void collect_keepsReferencedBlobsAndRemovesUnreferencedOnes() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written kept = TestImages.write(store, "kept-a", "kept-b");
        store.images().tag(ImageName.parse("kept"), kept.manifest());
        BlobInfo orphan = store.blobs().put("orphan".getBytes(StandardCharsets.UTF_8));
        TestImages.Written untagged = TestImages.write(store, "untagged");

        Thread.sleep(5);
        GcReport report = store.garbageCollector().collect(NO_GRACE);

        for (Digest d : kept.allDigests()) {
            assertTrue(store.blobs().exists(d), "kept " + d);
        }
        assertFalse(store.blobs().exists(orphan.digest()));
        for (Digest d : untagged.allDigests()) {
            assertFalse(store.blobs().exists(d), "removed " + d);
        }
        assertEquals(4, report.kept());
        assertEquals(4, report.removed().size());
        assertTrue(report.bytesFreed() > 0);
        assertTrue(report.missing().isEmpty());
        store.images().tag(ImageName.parse("again"), kept.manifest());
    }

    @Test
    void claim_makesAnOldUnreferencedBlobCountAsNew_soACollectionKeepingWhatWasWrittenSinceABuildBeganKeepsIt() throws Exception {
        LocalStore store = LocalStore.open(root);
        BlobInfo claimed = store.blobs().put("claimed".getBytes(StandardCharsets.UTF_8));
        BlobInfo unclaimed = store.blobs().put("unclaimed".getBytes(StandardCharsets.UTF_8));
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        for (BlobInfo blob : List.of(claimed, unclaimed)) {
            Files.setLastModifiedTime(store.blobs().layout().blob(blob.digest()), old);
        }

        assertTrue(store.claim(List.of(claimed.digest())));
        store.garbageCollector().collect(GcOptions.defaults().withGracePeriod(Duration.ZERO)
                .withKeepSince(Instant.now().minusSeconds(60)));

        assertTrue(store.blobs().exists(claimed.digest()));
        assertFalse(store.blobs().exists(unclaimed.digest()));
        assertFalse(store.claim(List.of(claimed.digest(), unclaimed.digest())), "a missing blob cannot be claimed");
    }

    @Test
    void collect_dropsTheMeasuredSizesOfTheLayersItDeletes_andKeepsThoseOfKeptLayers() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written kept = TestImages.write(store, "kept");
        store.images().tag(ImageName.parse("kept"), kept.manifest());
        TestImages.Written gone = TestImages.write(store, "gone");
        Path keptSize = LayerSizes.recordFile(root, kept.layers().get(0).digest());
        Path goneSize = LayerSizes.recordFile(root, gone.layers().get(0).digest());
        for (Path record : List.of(keptSize, goneSize)) {
            Files.createDirectories(record.getParent());
            Files.writeString(record, "1234");
        }
        Thread.sleep(5);
        store.garbageCollector().collect(NO_GRACE);
        assertTrue(Files.exists(keptSize));
        assertFalse(Files.exists(goneSize), "a deleted layer's size record goes with it");
    }

    @Test
    void collect_keepsAnImageKeptByDigestReferenceUntilThatReferenceIsRemoved() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written pinned = TestImages.write(store, "pinned");
        store.images().tagDigest("registry.example/team/app", pinned.manifest());
        store.images().tagDigest("registry.example/team/app", pinned.manifest());
        assertEquals(List.of("registry.example/team/app@" + pinned.manifest().digest()),
                store.images().list().stream().map(TaggedImage::refName).toList());

        store.garbageCollector().collect(NO_GRACE);
        for (Digest d : pinned.allDigests()) {
            assertTrue(store.blobs().exists(d), "kept " + d);
        }
        assertTrue(store.images().untagDigest("registry.example/team/app", pinned.manifest().digest()));
        assertFalse(store.images().untagDigest("registry.example/team/app", pinned.manifest().digest()));
        store.garbageCollector().collect(NO_GRACE);
        assertFalse(store.blobs().exists(pinned.manifest().digest()));
    }

    @Test
    void collect_keepsBlobsSharedWithAnImageThatIsStillTagged() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written base = TestImages.write(store, "base");
        TestImages.Written child = TestImages.write(store, "base", "child");
        store.images().tag(ImageName.parse("base"), base.manifest());
        store.images().tag(ImageName.parse("child"), child.manifest());
        store.images().untag(ImageName.parse("child"));
        store.garbageCollector().collect(NO_GRACE);
        assertTrue(store.blobs().exists(base.layers().get(0).digest()));
        assertEquals(base.layers().get(0).digest(), child.layers().get(0).digest());
        assertFalse(store.blobs().exists(child.layers().get(1).digest()));
        assertFalse(store.blobs().exists(child.manifest().digest()));
    }

    @Test
    void collect_followsIndexesToTheirManifests() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written one = TestImages.write(store, "one");
        TestImages.Written two = TestImages.write(store, "two");
        Descriptor index = store.writer().writeIndex(ImageIndex.oci(List.of(one.manifest(), two.manifest())));
        store.images().tag(ImageName.parse("multi"), index);
        GcReport report = store.garbageCollector().collect(NO_GRACE);
        assertTrue(report.removed().isEmpty(), report.toString());
        assertEquals(7, report.kept());
    }

    @Test
    void collect_keepsExtraRoots() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written cached = TestImages.write(store, "cached");
        BlobInfo layerOnly = store.blobs().put("a cached layer".getBytes(StandardCharsets.UTF_8));
        GcOptions options = NO_GRACE.withExtraRoots(() -> List.of(cached.manifest(),
                Descriptor.of(MediaTypes.OCI_LAYER_GZIP, layerOnly.digest(), layerOnly.size())));
        GcReport report = store.garbageCollector().collect(options);
        assertTrue(report.removed().isEmpty(), report.toString());
        for (Digest d : cached.allDigests()) {
            assertTrue(store.blobs().exists(d));
        }
        assertTrue(store.blobs().exists(layerOnly.digest()));
    }

    @Test
    void collect_keepsUnreferencedBlobsYoungerThanTheGracePeriod() throws Exception {
        Instant now = Instant.parse("2031-01-01T00:00:00Z");
        LocalStore store = LocalStore.open(root,
                BlobStoreOptions.defaults().withClock(Clock.fixed(now, ZoneOffset.UTC)));
        BlobInfo fresh = store.blobs().put("just written".getBytes(StandardCharsets.UTF_8));
        BlobInfo old = store.blobs().put("written long ago".getBytes(StandardCharsets.UTF_8));
        Path oldFile = root.resolve("blobs/sha256/" + old.digest().hex());
        Files.setLastModifiedTime(oldFile, java.nio.file.attribute.FileTime.from(now.minus(Duration.ofHours(2))));
        Files.setLastModifiedTime(root.resolve("blobs/sha256/" + fresh.digest().hex()),
                java.nio.file.attribute.FileTime.from(now.minus(Duration.ofMinutes(10))));
        GcReport report = store.garbageCollector().collect(GcOptions.defaults());
        assertEquals(List.of(old.digest()), report.removed());
        assertTrue(store.blobs().exists(fresh.digest()));
    }

    @Test
    void collect_reportsReferencedBlobsThatAreAlreadyMissing() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        store.images().tag(ImageName.parse("app"), image.manifest());
        store.blobs().delete(image.config().digest());
        GcReport report = store.garbageCollector().collect(NO_GRACE);
        assertEquals(List.of(image.config().digest()), report.missing().stream().map(Descriptor::digest).toList());
        assertTrue(store.blobs().exists(image.layers().get(0).digest()));
    }

    @Test
    void collect_deletesNothingWhenAReferencedManifestIsCorrupted() throws Exception {
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "one");
        store.images().tag(ImageName.parse("app"), image.manifest());
        BlobInfo orphan = store.blobs().put("orphan".getBytes(StandardCharsets.UTF_8));
        Path manifestFile = root.resolve("blobs/sha256/" + image.manifest().digest().hex());
        Files.setPosixFilePermissions(manifestFile, PosixFilePermissions.fromString("rw-r--r--"));
        byte[] bytes = Files.readAllBytes(manifestFile);
        bytes[bytes.length - 2] ^= 1;
        Files.write(manifestFile, bytes);
        LayerException e = assertThrows(LayerException.class, () -> store.garbageCollector().collect(NO_GRACE));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
        assertTrue(store.blobs().exists(orphan.digest()));
    }
}
