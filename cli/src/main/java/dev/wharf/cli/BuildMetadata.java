package dev.wharf.cli;

import dev.wharf.builder.api.BuildResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code wharf build --metadata-file} writes after a build that exports an image: BuildKit's image exporter
 * keys ({@code containerimage.config.digest}, {@code containerimage.descriptor}, {@code containerimage.digest},
 * {@code image.name}), as buildx writes them. Stateless.
 */
final class BuildMetadata {
    private BuildMetadata() {
    }

    /** The file's JSON for {@code result}, an image of the store under {@code storeRoot}. */
    static String json(BuildResult result, Path storeRoot) {
        // docker build's image exporter names the image as it tags it: each name normalized with its default tag
        // (docker.io/library/app:latest for -t app), once (moby's SanitizeRepoAndTags), which is also what the
        // plain progress's "naming to" says; it reports image.name only when the image has names.
        java.util.Set<String> canonical = new java.util.LinkedHashSet<>();
        for (String tag : result.tags()) {
            canonical.add(BuildCommand.canonical(tag));
        }
        String names = String.join(",", canonical);
        return "{\n  \"containerimage.config.digest\": \"" + result.imageId() + "\",\n"
                + descriptor(result.imageDigest(), storeRoot)
                + "  \"containerimage.digest\": \"" + result.imageDigest() + "\""
                + (names.length() == 0 ? "" : ",\n  \"image.name\": \""
                        + names.replace("\\", "\\\\").replace("\"", "\\\""))
                + (names.length() == 0 ? "\n}" : "\"\n}");
    }

    /**
     * The {@code containerimage.descriptor} entry of the metadata file: the image exporter's manifest descriptor
     * (exporter/containerimage/export.go), which buildx decodes into an object (commands/build.go,
     * decodeExporterResponse); empty when the manifest is not a blob of the local store (a pushed image's).
     */
    private static String descriptor(String manifestDigest, Path storeRoot) {
        try {
            dev.wharf.layers.Digest digest = dev.wharf.layers.Digest.parse(manifestDigest);
            Path blob = dev.wharf.layers.layout.OciLayout.at(storeRoot).blob(digest);
            if (!Files.isRegularFile(blob)) {
                return "";
            }
            byte[] manifest = Files.readAllBytes(blob);
            // A tree on a bare streaming parser: an ObjectMapper would cost a fresh CLI tens of milliseconds.
            com.fasterxml.jackson.databind.JsonNode type = dev.wharf.layers.json.JsonTrees.parse(manifest)
                    .path("mediaType");
            return "  \"containerimage.descriptor\": {\n    \"mediaType\": \""
                    + (type.isTextual() ? type.asText() : "application/vnd.oci.image.manifest.v1+json") + "\",\n"
                    + "    \"digest\": \"" + manifestDigest + "\",\n    \"size\": " + manifest.length + "\n  },\n";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
