package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildResult;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layout.OciLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --metadata-file} JSON byte for byte, as buildx writes it (Go's json.MarshalIndent with two spaces, keys
 * in Go's sorted order, no final newline): the layout the file had when it was written by hand, kept now that
 * Jackson writes it.
 */
class BuildMetadataTest {
    private static final String CONFIG = "sha256:" + "c".repeat(64);

    @TempDir
    Path store;

    @Test
    void anImageOfTheStore_hasItsManifestDescriptorAndItsNormalizedNamesOnce() throws IOException {
        byte[] manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                .getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256Of(manifest);
        Path blob = OciLayout.at(store).blob(digest);
        Files.createDirectories(blob.getParent());
        Files.write(blob, manifest);
        BuildResult result = new BuildResult(digest.toString(), CONFIG, "{}", List.of(),
                List.of("app", "docker.io/library/app:latest", "localhost:5000/team/app:1"), List.of());
        assertEquals("{\n"
                + "  \"containerimage.config.digest\": \"" + CONFIG + "\",\n"
                + "  \"containerimage.descriptor\": {\n"
                + "    \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
                + "    \"digest\": \"" + digest + "\",\n"
                + "    \"size\": " + manifest.length + "\n"
                + "  },\n"
                + "  \"containerimage.digest\": \"" + digest + "\",\n"
                + "  \"image.name\": \"docker.io/library/app:latest,localhost:5000/team/app:1\"\n"
                + "}", BuildMetadata.json(result, store));
    }

    @Test
    void aManifestWithoutMediaType_isDescribedAsAnOciManifest() throws IOException {
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256Of(manifest);
        Path blob = OciLayout.at(store).blob(digest);
        Files.createDirectories(blob.getParent());
        Files.write(blob, manifest);
        BuildResult result = new BuildResult(digest.toString(), CONFIG, "{}", List.of(), List.of(), List.of());
        assertEquals("{\n"
                + "  \"containerimage.config.digest\": \"" + CONFIG + "\",\n"
                + "  \"containerimage.descriptor\": {\n"
                + "    \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
                + "    \"digest\": \"" + digest + "\",\n"
                + "    \"size\": " + manifest.length + "\n"
                + "  },\n"
                + "  \"containerimage.digest\": \"" + digest + "\"\n"
                + "}", BuildMetadata.json(result, store));
    }

    @Test
    void aManifestNotInTheStore_andNoNames_leaveOutTheDescriptorAndTheName() {
        String pushed = "sha256:" + "d".repeat(64);
        BuildResult result = new BuildResult(pushed, CONFIG, "{}", List.of(), List.of(), List.of());
        assertEquals("{\n"
                + "  \"containerimage.config.digest\": \"" + CONFIG + "\",\n"
                + "  \"containerimage.digest\": \"" + pushed + "\"\n"
                + "}", BuildMetadata.json(result, store));
    }
}
