package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildOutput;
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
    private static final String REF = "wharf/wharf0/0fjb6ubs52xx3vygf6fgdl611";

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
                + "  \"buildx.build.ref\": \"" + REF + "\",\n"
                + "  \"containerimage.config.digest\": \"" + CONFIG + "\",\n"
                + "  \"containerimage.descriptor\": {\n"
                + "    \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
                + "    \"digest\": \"" + digest + "\",\n"
                + "    \"size\": " + manifest.length + "\n"
                + "  },\n"
                + "  \"containerimage.digest\": \"" + digest + "\",\n"
                + "  \"image.name\": \"docker.io/library/app:latest,localhost:5000/team/app:1\"\n"
                + "}", BuildMetadata.json(REF, result, store));
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
                + "  \"buildx.build.ref\": \"" + REF + "\",\n"
                + "  \"containerimage.config.digest\": \"" + CONFIG + "\",\n"
                + "  \"containerimage.descriptor\": {\n"
                + "    \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
                + "    \"digest\": \"" + digest + "\",\n"
                + "    \"size\": " + manifest.length + "\n"
                + "  },\n"
                + "  \"containerimage.digest\": \"" + digest + "\"\n"
                + "}", BuildMetadata.json(REF, result, store));
    }

    @Test
    void anOciOrDockerOutput_isNamedByTheTags_elseByItsOwnName_asBuildxNamesItsExporter() {
        BuildResult untagged = new BuildResult("sha256:" + "d".repeat(64), CONFIG, "{}", List.of(), List.of(),
                List.of());
        BuildOutput oci = BuildOutput.parse("type=oci,dest=out.tar");
        assertEquals(List.of("app:1"), BuildMetadata.names(untagged, List.of(oci), List.of("app:1")));
        assertEquals(List.of("app:1"), BuildMetadata.names(untagged,
                List.of(BuildOutput.parse("type=docker,dest=d.tar")), List.of("app:1")));
        assertEquals(List.of(), BuildMetadata.names(untagged, List.of(oci), List.of()));
        BuildOutput named = BuildOutput.parse("type=oci,dest=out.tar,name=own:2");
        assertEquals(List.of("own:2"), BuildMetadata.names(untagged, List.of(named), List.of()));
        assertEquals(List.of("app:1"), BuildMetadata.names(untagged, List.of(named), List.of("app:1")));
        assertEquals(List.of(), BuildMetadata.names(untagged, List.of(BuildOutput.parse("type=tar,dest=x.tar")),
                List.of("app:1")));
        BuildResult tagged = new BuildResult("sha256:" + "d".repeat(64), CONFIG, "{}", List.of(), List.of("app:1"),
                List.of());
        assertEquals(List.of("app:1"), BuildMetadata.names(tagged, List.of(), List.of("app:1")));
        // exporter/oci normalizes each with its default tag, as the image exporter's names are.
        assertEquals("{\n"
                + "  \"buildx.build.ref\": \"" + REF + "\",\n"
                + "  \"containerimage.config.digest\": \"" + CONFIG + "\",\n"
                + "  \"containerimage.digest\": \"sha256:" + "d".repeat(64) + "\",\n"
                + "  \"image.name\": \"docker.io/library/own:2,docker.io/team/x:latest\"\n"
                + "}", BuildMetadata.json(REF, untagged, store, List.of("own:2", "team/x")));
    }

    @Test
    void aManifestNotInTheStore_andNoNames_leaveOutTheDescriptorAndTheName() {
        String pushed = "sha256:" + "d".repeat(64);
        BuildResult result = new BuildResult(pushed, CONFIG, "{}", List.of(), List.of(), List.of());
        assertEquals("{\n"
                + "  \"buildx.build.ref\": \"" + REF + "\",\n"
                + "  \"containerimage.config.digest\": \"" + CONFIG + "\",\n"
                + "  \"containerimage.digest\": \"" + pushed + "\"\n"
                + "}", BuildMetadata.json(REF, result, store));
    }

    /** buildx 0.13.1 with only a local or tar output: {@code {"buildx.build.ref": "default/default/<id>"}}. */
    @Test
    void aBuildWithoutImage_reportsItsRefAlone() {
        assertEquals("{\n  \"buildx.build.ref\": \"" + REF + "\"\n}", BuildMetadata.json(REF));
    }

    /** As buildx's default/default/x4ztnzk0wr6m1h59fvgw76spu: 25 base-36 characters after builder and node. */
    @Test
    void refs_areTheBuilderNodeAndA25CharacterBase36Id_freshForEachBuild() {
        String ref = BuildRef.next();
        assertTrue(ref.matches("wharf/wharf0/[0-9a-z]{25}"), ref);
        assertNotEquals(ref, BuildRef.next());
        // The extreme draws still give 25 characters: all bits clear (the high bit is set) and all set.
        java.util.Random zeros = new java.util.Random() {
            @Override
            public void nextBytes(byte[] bytes) {
                java.util.Arrays.fill(bytes, (byte) 0);
            }
        };
        java.util.Random ones = new java.util.Random() {
            @Override
            public void nextBytes(byte[] bytes) {
                java.util.Arrays.fill(bytes, (byte) 0xff);
            }
        };
        assertEquals(25, BuildRef.id(zeros).length(), BuildRef.id(zeros));
        assertEquals(25, BuildRef.id(ones).length(), BuildRef.id(ones));
    }
}
