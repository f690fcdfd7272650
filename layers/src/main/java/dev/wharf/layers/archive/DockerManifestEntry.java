package dev.wharf.layers.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One element of a {@code docker save} archive's {@code manifest.json}: the config path, the tags and the layer
 * paths, bottom layer first, as in moby's {@code image/tarexport} {@code manifestItem}.
 *
 * <p>An immutable record, thread-safe. {@code LayerSources} (foreign layers of Windows images) is not modelled;
 * such images fail on their missing layer files with a clear message.
 *
 * @param config the path of the image config inside the archive
 * @param repoTags the image's names, e.g. {@code busybox:latest}; empty when untagged
 * @param layers the paths of the layer tars inside the archive
 */
@JsonPropertyOrder({"Config", "RepoTags", "Layers"})
record DockerManifestEntry(
        @JsonProperty("Config") String config,
        @JsonProperty("RepoTags") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> repoTags,
        @JsonProperty("Layers") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> layers) {
    /** Copies; null lists (Go writes {@code null} for an untagged image) become empty. */
    DockerManifestEntry {
        repoTags = repoTags == null ? List.of() : repoTags.stream().map(t -> t == null ? "" : t).toList();
        layers = layers == null ? List.of() : layers.stream().map(t -> t == null ? "" : t).toList();
    }
}
