package dev.wharf.layers.registry;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.Platform;
import dev.wharf.layers.blob.BlobInfo;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.TestImages;
import java.io.IOException;
import java.util.List;
import java.util.Random;

/** Images for registry tests: one gzip layer of seeded random bytes (so it does not compress) and an OCI manifest. */
final class RegistryTestImages {
    private RegistryTestImages() {
    }

    /** Writes an image whose single layer holds one file of {@code size} random bytes. */
    static TestImages.Written withLayerOfSize(LocalStore store, Platform platform, int size, long seed)
            throws IOException {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        byte[] tar = TestImages.tar("data.bin", content);
        BlobInfo layer = store.blobs().put(TestImages.gzip(tar));
        Descriptor layerDescriptor = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, layer.digest(), layer.size());
        ImageConfiguration config = ImageConfiguration.of(platform,
                ExecutionConfig.builder().cmd(List.of("/data.bin")).build(),
                RootFs.layers(List.of(Digest.sha256Of(tar))),
                List.of(new HistoryEntry(null, "COPY data.bin /", null, null, false)));
        Descriptor configDescriptor = store.writer().writeConfig(config);
        Descriptor manifest = store.writer().writeManifest(ImageManifest.oci(configDescriptor,
                List.of(layerDescriptor)));
        return new TestImages.Written(manifest, configDescriptor, List.of(layerDescriptor));
    }

    /** Writes an index over linux/amd64 and linux/arm64/v8 images, returning its descriptor and the two images. */
    static MultiPlatform multiPlatform(LocalStore store) throws IOException {
        TestImages.Written amd64 = TestImages.write(store, "amd64.txt");
        TestImages.Written arm64 = TestImages.write(store, Platform.of("linux", "arm64").withVariant("v8"),
                "arm64.txt");
        Descriptor index = store.writer().writeIndex(ImageIndex.oci(List.of(
                amd64.manifest().withPlatform(Platform.of("linux", "amd64")),
                arm64.manifest().withPlatform(Platform.of("linux", "arm64").withVariant("v8")))));
        return new MultiPlatform(index, amd64, arm64);
    }

    record MultiPlatform(Descriptor index, TestImages.Written amd64, TestImages.Written arm64) {
    }
}
