package dev.wharf.layers.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.wharf.layers.Platform;
import dev.wharf.layers.json.GoTime;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An image configuration: the JSON blob a manifest's {@code config} descriptor points to (OCI
 * {@code application/vnd.oci.image.config.v1+json}, Docker {@code application/vnd.docker.container.image.v1+json};
 * both have this shape).
 *
 * <p>An immutable record, thread-safe. Fields and their order follow image-spec {@code specs-go/v1/config.go}
 * {@code Image} (with the embedded {@code Platform} fields inline); {@code architecture}, {@code os}, {@code config}
 * and {@code rootfs} are always written, the rest only when set. Fields wharf does not model (Docker's
 * {@code container_config}, {@code docker_version}, ...) are kept in {@code unknownFields} and written back after
 * the known ones, sorted by name.
 *
 * <p>Note for exporters: BuildKit's exporter re-encodes the top level through a Go map
 * ({@code exporter/containerimage/writer.go}, {@code patchImageConfig}), so its configs list top-level keys
 * alphabetically; this model keeps the spec's order, as wharf's canonical form.
 *
 * @param created when the image was created, or null
 * @param author the author, or null
 * @param architecture CPU architecture, e.g. {@code amd64} (written even when empty, as Go does)
 * @param os operating system, e.g. {@code linux} (written even when empty)
 * @param osVersion OS version (Windows), or null
 * @param osFeatures OS features (Windows), possibly empty
 * @param variant CPU variant, e.g. {@code v8}, or null
 * @param config the container defaults; never null
 * @param rootfs the layer diff IDs; never null
 * @param history how each layer was made, possibly empty
 * @param unknownFields top-level fields not modelled above, kept verbatim
 */
@JsonPropertyOrder({"created", "author", "architecture", "os", "os.version", "os.features", "variant", "config",
    "rootfs", "history"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageConfiguration(
        @JsonProperty("created") @JsonSerialize(using = GoTime.Serializer.class)
                @JsonDeserialize(using = GoTime.Deserializer.class) OffsetDateTime created,
        @JsonProperty("author") String author,
        @JsonProperty("architecture") @JsonInclude(JsonInclude.Include.ALWAYS) String architecture,
        @JsonProperty("os") @JsonInclude(JsonInclude.Include.ALWAYS) String os,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        @JsonProperty("variant") String variant,
        @JsonProperty("config") @JsonInclude(JsonInclude.Include.ALWAYS) ExecutionConfig config,
        @JsonProperty("rootfs") @JsonInclude(JsonInclude.Include.ALWAYS) RootFs rootfs,
        @JsonProperty("history") List<HistoryEntry> history,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

    /** Normalizes: absent objects become empty ones, empty text becomes null, collections are copied. */
    public ImageConfiguration {
        author = emptyToNull(author);
        architecture = architecture == null ? "" : architecture;
        os = os == null ? "" : os;
        osVersion = emptyToNull(osVersion);
        osFeatures = Copies.strings(osFeatures);
        variant = emptyToNull(variant);
        config = config == null ? ExecutionConfig.empty() : config;
        rootfs = rootfs == null ? RootFs.layers(List.of()) : rootfs;
        history = Copies.list(history, "history");
        unknownFields = unknownFields == null || unknownFields.isEmpty()
                ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(unknownFields));
    }

    /** Makes a config for a platform with the given container defaults, layers and history. */
    public static ImageConfiguration of(Platform platform, ExecutionConfig config, RootFs rootfs,
            List<HistoryEntry> history) {
        return new ImageConfiguration(null, null, platform.architecture(), platform.os(), platform.osVersion(),
                platform.osFeatures(), platform.variant(), config, rootfs, history, null);
    }

    /** Returns the platform this config declares. */
    public Platform platform() {
        return new Platform(architecture, os, osVersion, osFeatures, variant);
    }

    /** Returns a copy with another creation time. */
    public ImageConfiguration withCreated(OffsetDateTime value) {
        return new ImageConfiguration(value, author, architecture, os, osVersion, osFeatures, variant, config, rootfs,
                history, unknownFields);
    }

    /** Returns a copy with other container defaults. */
    public ImageConfiguration withConfig(ExecutionConfig value) {
        return new ImageConfiguration(created, author, architecture, os, osVersion, osFeatures, variant, value,
                rootfs, history, unknownFields);
    }

    /** Returns a copy with another rootfs and history (adding a layer changes both together). */
    public ImageConfiguration withLayers(RootFs newRootfs, List<HistoryEntry> newHistory) {
        return new ImageConfiguration(created, author, architecture, os, osVersion, osFeatures, variant, config,
                newRootfs, newHistory, unknownFields);
    }

    /** Returns a copy with one more top-level field outside the model (replacing one of that name). */
    public ImageConfiguration withUnknownField(String name, JsonNode value) {
        Map<String, JsonNode> fields = new TreeMap<>(unknownFields);
        fields.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new ImageConfiguration(created, author, architecture, os, osVersion, osFeatures, variant, config,
                rootfs, history, fields);
    }

    /**
     * Returns a copy without unknown fields here and in {@link #config()}: the starting point BuildKit uses for a
     * child image, since it decodes the base config into its typed struct.
     */
    public ImageConfiguration withoutUnknownFields() {
        return new ImageConfiguration(created, author, architecture, os, osVersion, osFeatures, variant,
                config.withoutUnknownFields(), rootfs, history, null);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
