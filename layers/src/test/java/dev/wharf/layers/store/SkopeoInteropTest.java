package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.testing.PeerTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks with skopeo, an independent OCI implementation, that a store wharf wrote is a valid OCI image layout. */
class SkopeoInteropTest {
    @TempDir
    Path root;

    @TempDir
    Path copyRoot;

    @Test
    void skopeoInspect_readsATaggedImageFromTheStore() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "hello.txt");
        store.images().tag(ImageName.parse("wharf-test:1.0"), image.manifest());
        String ref = "oci:" + root + ":wharf-test:1.0";

        JsonNode inspect = new ObjectMapper().readTree(run(skopeo, "inspect", ref));
        assertEquals(image.manifest().digest().toString(), inspect.get("Digest").asText());
        assertEquals("amd64", inspect.get("Architecture").asText());
        assertEquals("linux", inspect.get("Os").asText());
        assertEquals(image.layers().get(0).digest().toString(), inspect.get("Layers").get(0).asText());
        assertEquals("wharf", inspect.get("Labels").get("test").asText());

        byte[] raw = run(skopeo, "inspect", "--raw", ref);
        assertArrayEquals(store.blobs().readAllBytes(image.manifest().digest(), 1 << 20), raw);

        JsonNode config = new ObjectMapper().readTree(run(skopeo, "inspect", "--config", ref));
        assertEquals("PATH=/usr/bin:/bin", config.get("config").get("Env").get(0).asText());
    }

    @Test
    void skopeoInspect_picksThePlatformFromATaggedIndex() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        LocalStore store = LocalStore.open(root);
        TestImages.Written amd64 = TestImages.write(store, "amd64.txt");
        TestImages.Written arm64 = TestImages.write(store, Platform.of("linux", "arm64").withVariant("v8"),
                "arm64.txt");
        Descriptor index = store.writer().writeIndex(ImageIndex.oci(List.of(
                amd64.manifest().withPlatform(Platform.of("linux", "amd64")),
                arm64.manifest().withPlatform(Platform.of("linux", "arm64").withVariant("v8")))));
        store.images().tag(ImageName.parse("multi:1"), index);
        String ref = "oci:" + root + ":multi:1";

        assertArrayEquals(store.blobs().readAllBytes(index.digest(), 1 << 20), run(skopeo, "inspect", "--raw", ref));
        JsonNode picked = new ObjectMapper().readTree(run(skopeo, "--override-os", "linux", "--override-arch",
                "arm64", "--override-variant", "v8", "inspect", ref));
        // skopeo reports the digest of what the name points to (the index) and the chosen platform's details.
        assertEquals(index.digest().toString(), picked.get("Digest").asText());
        assertEquals("arm64", picked.get("Architecture").asText());
        assertEquals(arm64.layers().get(0).digest().toString(), picked.get("Layers").get(0).asText());
    }

    @Test
    void skopeoCopy_toAnotherLayout_verifiesEveryBlobAndWharfReadsTheCopy() throws Exception {
        Path skopeo = PeerTools.require("skopeo");
        LocalStore store = LocalStore.open(root);
        TestImages.Written image = TestImages.write(store, "a.txt", "b.txt");
        store.images().tag(ImageName.parse("wharf-test:2"), image.manifest());
        // skopeo checks each blob's digest while copying, so this fails if any blob or descriptor is wrong.
        run(skopeo, "--insecure-policy", "copy", "--preserve-digests", "oci:" + root + ":wharf-test:2",
                "oci:" + copyRoot + ":wharf-test:2");

        LocalStore copy = LocalStore.open(copyRoot);
        Descriptor copied = copy.images().resolve(ImageName.parse("wharf-test:2")).orElseThrow();
        assertEquals(image.manifest().digest(), copied.digest());
        for (var digest : image.allDigests()) {
            copy.blobs().verify(digest);
        }
        assertEquals(image.config().digest(), copy.reader().readManifest(copied).config().digest());
    }

    private static byte[] run(Path tool, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("skopeo", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            byte[] out = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "skopeo timed out");
            assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed: "
                    + readQuietly(stderr));
            return out;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
