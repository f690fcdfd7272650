package dev.wharf.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.layers.json.GoCharacterEscapes;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code wharf build --metadata-file} writes after a build: the build's {@link BuildRef} ({@code
 * buildx.build.ref}, which buildx 0.13.1 writes for every build, one that exports no image included) and, when it
 * exports an image, BuildKit's image exporter keys ({@code containerimage.config.digest}, {@code
 * containerimage.descriptor}, {@code containerimage.digest}, {@code image.name}), as buildx writes them: Go's
 * {@code json.MarshalIndent(v, "", "  ")} of a map, so the keys in sorted order, its strings escaped as Go escapes
 * them. Stateless.
 */
final class BuildMetadata {
    private BuildMetadata() {
    }

    /** The file's JSON for {@code result}, an image of the store under {@code storeRoot}, named by its tags. */
    static String json(String buildRef, BuildResult result, Path storeRoot) {
        return json(buildRef, result, storeRoot, result.tags());
    }

    /** The file's JSON for a build that exports no image (only local or tar outputs): its ref alone. */
    static String json(String buildRef) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = generator(text)) {
            g.writeStartObject();
            g.writeStringField("buildx.build.ref", buildRef);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render JSON into a string", e);
        }
        return text.toString();
    }

    private static JsonGenerator generator(StringWriter text) throws IOException {
        // A generator on a bare factory: an ObjectMapper would cost a fresh CLI tens of milliseconds.
        JsonGenerator g = new JsonFactory().setCharacterEscapes(new GoCharacterEscapes()).createGenerator(text);
        g.setPrettyPrinter(GoIndent.printer("  "));
        return g;
    }

    /**
     * The names the exporter that made the reported image gives it ({@code image.name}): the store's tags, else the
     * names of an oci or docker output ({@link BuildOutput#archiveNames}: the {@code -t} names, else its
     * {@code name=}), which its exporter reports as the image exporter does (exporter/oci: {@code resp[image.name]},
     * each normalized with its default tag).
     */
    static List<String> names(BuildResult result, List<BuildOutput> outputs, List<String> tags) {
        if (!result.tags().isEmpty()) {
            return result.tags();
        }
        for (BuildOutput output : outputs) {
            if (output.type().equals("oci") || output.type().equals("docker")) {
                return output.archiveNames(tags);
            }
        }
        return List.of();
    }

    /** The file's JSON for {@code result}, an image of the store under {@code storeRoot} named {@code names}. */
    static String json(String buildRef, BuildResult result, Path storeRoot, List<String> names) {
        // docker build's image exporter names the image as it tags it: each name normalized with its default tag
        // (docker.io/library/app:latest for -t app), once (moby's SanitizeRepoAndTags; the plain progress's
        // "naming to" shows the name without the added tag, as buildx passes it); it reports image.name only when the
        // image has names.
        java.util.Set<String> canonical = new java.util.LinkedHashSet<>();
        for (String tag : names) {
            canonical.add(BuildCommand.canonical(tag));
        }
        String joined = String.join(",", canonical);
        Descriptor descriptor = descriptor(result.imageDigest(), storeRoot);
        StringWriter text = new StringWriter();
        try (JsonGenerator g = generator(text)) {
            g.writeStartObject();
            // Go's sorted map keys: "buildx..." before "containerimage...".
            g.writeStringField("buildx.build.ref", buildRef);
            g.writeStringField("containerimage.config.digest", result.imageId());
            if (descriptor != null) {
                g.writeObjectFieldStart("containerimage.descriptor");
                g.writeStringField("mediaType", descriptor.mediaType());
                g.writeStringField("digest", result.imageDigest());
                g.writeNumberField("size", descriptor.size());
                g.writeEndObject();
            }
            g.writeStringField("containerimage.digest", result.imageDigest());
            if (!joined.isEmpty()) {
                g.writeStringField("image.name", joined);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render JSON into a string", e);
        }
        return text.toString();
    }

    /** What the {@code containerimage.descriptor} entry says besides the manifest's digest. */
    private record Descriptor(String mediaType, long size) {
    }

    /**
     * The {@code containerimage.descriptor} entry of the metadata file: the image exporter's manifest descriptor
     * (exporter/containerimage/export.go), which buildx decodes into an object (commands/build.go,
     * decodeExporterResponse); null when the manifest is not a blob of the local store (a pushed image's).
     */
    private static Descriptor descriptor(String manifestDigest, Path storeRoot) {
        try {
            dev.wharf.layers.Digest digest = dev.wharf.layers.Digest.parse(manifestDigest);
            Path blob = dev.wharf.layers.layout.OciLayout.at(storeRoot).blob(digest);
            if (!Files.isRegularFile(blob)) {
                return null;
            }
            byte[] manifest = Files.readAllBytes(blob);
            // A tree on a bare streaming parser: an ObjectMapper would cost a fresh CLI tens of milliseconds.
            com.fasterxml.jackson.databind.JsonNode type = dev.wharf.layers.json.JsonTrees.parse(manifest)
                    .path("mediaType");
            return new Descriptor(type.isTextual() ? type.asText() : "application/vnd.oci.image.manifest.v1+json",
                    manifest.length);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
