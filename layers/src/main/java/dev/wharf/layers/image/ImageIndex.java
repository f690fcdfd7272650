package dev.wharf.layers.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.MediaTypes;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An image index: a list of manifest descriptors, usually one per platform. Reads OCI image indexes and Docker
 * manifest lists, which share this shape; an OCI layout's {@code index.json} is one too.
 *
 * <p>An immutable record, thread-safe. Fields and order follow image-spec {@code specs-go/v1/index.go};
 * {@code schemaVersion} and {@code manifests} are always written. Unknown fields are kept in
 * {@code unknownFields} and written back after the known ones.
 *
 * @param schemaVersion always 2
 * @param mediaType the index's own media type, or null
 * @param artifactType the artifact type, or null
 * @param manifests the manifest (or nested index) descriptors
 * @param subject the manifest this one refers to, or null
 * @param annotations arbitrary metadata
 * @param unknownFields fields not modelled above, kept verbatim
 */
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageIndex(
        @JsonProperty("schemaVersion") @JsonInclude(JsonInclude.Include.ALWAYS) int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("artifactType") String artifactType,
        @JsonProperty("manifests") @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> manifests,
        @JsonProperty("subject") Descriptor subject,
        @JsonProperty("annotations") SortedMap<String, String> annotations,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the schema version is not 2 or the media type is a manifest type
     */
    public ImageIndex {
        if (schemaVersion != 2) {
            throw new IllegalArgumentException("index schemaVersion is " + schemaVersion + ", only 2 is supported");
        }
        mediaType = mediaType == null || mediaType.isEmpty() ? null : mediaType;
        if (mediaType != null && MediaTypes.isManifest(mediaType)) {
            throw new IllegalArgumentException("document has media type " + mediaType + ", a manifest, not an index");
        }
        artifactType = artifactType == null || artifactType.isEmpty() ? null : artifactType;
        manifests = Copies.list(manifests, "manifests");
        annotations = Copies.stringMap(annotations);
        unknownFields = unknownFields == null || unknownFields.isEmpty()
                ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(unknownFields));
    }

    /** Makes an OCI image index over the given manifests. */
    public static ImageIndex oci(List<Descriptor> manifests) {
        return new ImageIndex(2, MediaTypes.OCI_INDEX, null, manifests, null, null, null);
    }

    /** Returns a copy with other manifests. */
    public ImageIndex withManifests(List<Descriptor> newManifests) {
        return new ImageIndex(schemaVersion, mediaType, artifactType, newManifests, subject, annotations,
                unknownFields);
    }
}
