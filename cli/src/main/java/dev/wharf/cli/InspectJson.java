package dev.wharf.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.json.CanonicalJson;
import dev.wharf.layers.store.LayerSizes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Renders images as {@code docker image inspect} does: a JSON array of objects with {@code Id}, {@code RepoTags},
 * {@code RepoDigests}, {@code Created}, {@code Author}, {@code Config}, {@code Architecture}, {@code Os},
 * {@code Size}, {@code RootFS} and the manifest {@code Descriptor} (as Docker 25+ with the containerd store),
 * indented by four spaces like Go's {@code json.MarshalIndent}.
 *
 * <p>{@code Size} is the sum of the layers' content sizes (unpacked, as Docker's graph drivers measure them), the
 * figure {@code wharf images} shows.
 * {@code RepoDigests} lists the digest references the store keeps ({@code name@sha256:...}, for images pulled by
 * digest); the store does not remember the registry digest of an image pulled by tag.
 * Immutable and thread-safe.
 */
final class InspectJson {
    private final CanonicalJson canonical;
    private final ObjectMapper mapper = new ObjectMapper();
    private final DefaultPrettyPrinter printer;

    private final LayerSizes sizes;

    InspectJson(CanonicalJson canonical, LayerSizes sizes) {
        this.sizes = sizes;
        this.canonical = canonical;
        this.printer = GoIndent.printer("    ");
    }

    /** The JSON array for {@code images}, with a final newline. */
    String render(List<ResolvedImage> images) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (ResolvedImage image : images) {
            array.add(object(image));
        }
        try {
            return mapper.writer(printer).writeValueAsString(array) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a JSON tree", e);
        }
    }

    /** The object docker inspect shows for {@code image}, for a {@code --format} template. */
    ObjectNode object(ResolvedImage image) {
        // The config as stored (canonical JSON), so every field, also unknown ones, shows as written.
        JsonNode config = tree(canonical.write(image.config()));
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("Id", image.id().toString());
        ArrayNode tags = node.putArray("RepoTags");
        ArrayNode digests = node.putArray("RepoDigests");
        // Digest references (name@sha256:..., kept for an image pulled by digest) are RepoDigests, as in docker.
        image.names().forEach(name -> (name.contains("@") ? digests : tags).add(name));
        node.put("Parent", "");
        node.put("Comment", "");
        node.put("Created", config.path("created").asText(""));
        node.put("Author", config.path("author").asText(""));
        node.set("Config", config.path("config").isObject() ? config.get("config")
                : JsonNodeFactory.instance.objectNode());
        node.put("Architecture", config.path("architecture").asText(""));
        if (config.hasNonNull("variant")) {
            node.put("Variant", config.get("variant").asText());
        }
        node.put("Os", config.path("os").asText(""));
        if (config.hasNonNull("os.version")) {
            node.put("OsVersion", config.get("os.version").asText());
        }
        node.put("Size", image.size(sizes));
        ObjectNode rootfs = node.putObject("RootFS");
        rootfs.put("Type", image.config().rootfs().type());
        ArrayNode layers = rootfs.putArray("Layers");
        for (Digest diffId : image.config().rootfs().diffIds()) {
            layers.add(diffId.toString());
        }
        Descriptor target = image.target();
        ObjectNode descriptor = node.putObject("Descriptor");
        descriptor.put("mediaType", target.mediaType());
        descriptor.put("digest", target.digest().toString());
        descriptor.put("size", target.size());
        return node;
    }

    private JsonNode tree(byte[] json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("wharf's own canonical JSON did not parse", e);
        }
    }
}
