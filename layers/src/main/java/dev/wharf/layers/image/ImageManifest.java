package dev.wharf.layers.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A single-platform image manifest: a config descriptor and the layer descriptors, bottom layer first. Reads both
 * OCI image manifests and Docker image manifest v2 schema 2, which share this shape.
 *
 * <p>An immutable record, thread-safe. Fields and order follow image-spec {@code specs-go/v1/manifest.go};
 * {@code schemaVersion}, {@code config} and {@code layers} are always written. Unknown fields are kept in
 * {@code unknownFields} and written back after the known ones.
 *
 * @param schemaVersion always 2
 * @param mediaType the manifest's own media type, or null (OCI allows omitting it; wharf always sets it)
 * @param artifactType the artifact type, or null
 * @param config the image config descriptor
 * @param layers the layer descriptors, bottom first
 * @param subject the manifest this one refers to (referrers API), or null
 * @param annotations arbitrary metadata
 * @param unknownFields fields not modelled above, kept verbatim
 */
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageManifest(
        @JsonProperty("schemaVersion") @JsonInclude(JsonInclude.Include.ALWAYS) int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("artifactType") String artifactType,
        @JsonProperty("config") @JsonInclude(JsonInclude.Include.ALWAYS) Descriptor config,
        @JsonProperty("layers") @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> layers,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") SortedMap<String, String> annotations,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the schema version is not 2, the config is missing or the media type is
     *     an index type (reported as a {@link dev.wharf.layers.LayerException} by the JSON reader)
     */
    public ImageManifest {
        if (schemaVersion != 2) {
            throw new IllegalArgumentException("manifest schemaVersion is " + schemaVersion
                    + ", only 2 is supported (Docker schema 1 images must be converted, e.g. by pushing them again)");
        }
        if (config == null) {
            throw new IllegalArgumentException("manifest has no config descriptor");
        }
        mediaType = mediaType == null || mediaType.isEmpty() ? null : mediaType;
        if (mediaType != null && MediaTypes.isIndex(mediaType)) {
            throw new IllegalArgumentException("document has media type " + mediaType + ", an index, not a manifest");
        }
        artifactType = artifactType == null || artifactType.isEmpty() ? null : artifactType;
        layers = Copies.list(layers, "layers");
        annotations = Copies.stringMap(annotations);
        unknownFields = unknownFields == null || unknownFields.isEmpty()
                ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(unknownFields));
    }

    /** Makes an OCI image manifest. */
    public static ImageManifest oci(Descriptor config, List<Descriptor> layers) {
        return new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, null, null);
    }

    /** Tells whether this is a Docker schema 2 manifest (by its media type). */
    @JsonIgnore
    public boolean isDocker() {
        return MediaTypes.DOCKER_MANIFEST.equals(mediaType);
    }

    /**
     * Returns the OCI form of this manifest: Docker media types of the manifest, config and layers replaced by
     * their OCI counterparts (the content blobs stay the same; only the manifest's own digest changes).
     */
    public ImageManifest toOci() {
        List<Descriptor> ociLayers = layers.stream().map(l -> l.withMediaType(MediaTypes.toOci(l.mediaType())))
                .toList();
        return new ImageManifest(2, MediaTypes.OCI_MANIFEST, artifactType,
                config.withMediaType(MediaTypes.toOci(config.mediaType())), ociLayers, subject, annotations,
                unknownFields);
    }

    /**
     * Returns the Docker schema 2 form of this manifest (for {@code docker load} and registries that want it).
     * Docker's format has no artifact type, subject or annotations, so those are dropped.
     *
     * @throws LayerException if the config or a layer has a media type Docker cannot express (e.g. an OCI
     *     foreign zstd layer or an artifact config); write OCI instead
     */
    public ImageManifest toDocker() throws LayerException {
        List<Descriptor> dockerLayers = new java.util.ArrayList<>();
        for (Descriptor layer : layers) {
            dockerLayers.add(layer.withMediaType(dockerType(layer)));
        }
        return new ImageManifest(2, MediaTypes.DOCKER_MANIFEST, null, config.withMediaType(dockerType(config)),
                dockerLayers, null, null, unknownFields);
    }

    /**
     * Returns this manifest as BuildKit's image writer makes one without OCI media types ({@code oci-mediatypes=false},
     * exporter/containerimage/writer.go): Docker's manifest and config types, each layer's Docker counterpart (a type
     * Docker has none for stays as it is, as {@code compression.ConvertAllLayerMediaTypes} leaves it) without its
     * annotations ({@code RemoveInternalLayerAnnotations} drops them all then; a foreign layer keeps its URLs), and
     * the manifest's own annotations kept: BuildKit writes them into a Docker manifest as well. The blobs stay the
     * same. Only for image manifests: see {@link #hasDockerForm()}.
     */
    public ImageManifest withDockerTypes() {
        List<Descriptor> dockerLayers = layers.stream()
                .map(l -> l.withMediaType(MediaTypes.toDocker(l.mediaType()).orElse(l.mediaType()))
                        .withAnnotations(Map.of()))
                .toList();
        return new ImageManifest(2, MediaTypes.DOCKER_MANIFEST, artifactType,
                config.withMediaType(MediaTypes.toDocker(config.mediaType()).orElse(config.mediaType())), dockerLayers,
                subject, annotations, unknownFields);
    }

    /**
     * Whether this manifest is an image that Docker's schema 2 can carry: an image config, no artifact type and no
     * subject (an artifact, a signature or an attestation keeps its OCI manifest as it is).
     */
    public boolean hasDockerForm() {
        return MediaTypes.isConfig(config.mediaType()) && artifactType == null && subject == null;
    }

    private static String dockerType(Descriptor descriptor) throws LayerException {
        return MediaTypes.toDocker(descriptor.mediaType()).orElseThrow(() -> new LayerException(
                "media type " + descriptor.mediaType() + " of " + descriptor.digest()
                        + " has no Docker schema 2 equivalent; export the image in OCI format instead"));
    }
}
