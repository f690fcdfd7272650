package dev.wharf.layers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A content descriptor: what a blob is, its digest and its size, as in OCI image-spec {@code descriptor.md}.
 *
 * <p>An immutable record, thread-safe. Field names and order follow {@code specs-go/v1/descriptor.go}; optional
 * fields are null or empty when absent and then omitted from JSON. Annotations are kept sorted by key, which is
 * also the order Go writes map keys in.
 *
 * @param mediaType media type of the referenced content, see {@link MediaTypes}
 * @param digest digest of the referenced content
 * @param size size in bytes of the referenced content
 * @param urls URLs the content may be fetched from (foreign layers), possibly empty
 * @param annotations arbitrary metadata, possibly empty
 * @param data the content itself, base64-encoded, embedded in the descriptor, or null
 * @param platform the platform of a manifest referenced from an index, or null
 * @param artifactType the artifact type of the referenced manifest, or null
 */
@JsonPropertyOrder({"mediaType", "digest", "size", "urls", "annotations", "data", "platform", "artifactType"})
public record Descriptor(
        @JsonProperty("mediaType") @JsonInclude(JsonInclude.Include.ALWAYS) String mediaType,
        @JsonProperty("digest") Digest digest,
        @JsonProperty("size") long size,
        @JsonProperty("urls") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> urls,
        @JsonProperty("annotations") @JsonInclude(JsonInclude.Include.NON_EMPTY) SortedMap<String, String> annotations,
        @JsonProperty("data") @JsonInclude(JsonInclude.Include.NON_EMPTY) String data,
        @JsonProperty("platform") @JsonInclude(JsonInclude.Include.NON_NULL) Platform platform,
        @JsonProperty("artifactType") @JsonInclude(JsonInclude.Include.NON_EMPTY) String artifactType) {

    /** The annotation OCI image layouts use to name a manifest in {@code index.json} (a tag or a reference). */
    public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

    /**
     * containerd's {@code images.AnnotationImageName}: the full name of an {@code index.json} entry
     * ({@code docker.io/library/app:1}), where {@link #REF_NAME_ANNOTATION} holds only its tag.
     */
    public static final String CONTAINERD_NAME_ANNOTATION = "io.containerd.image.name";

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the digest is missing or the size negative (Jackson reports it as a
     *     mapping error, which readers turn into a {@link LayerException})
     */
    public Descriptor {
        if (digest == null) {
            throw new IllegalArgumentException("descriptor has no digest");
        }
        if (size < 0) {
            throw new IllegalArgumentException("descriptor of " + digest + " has negative size " + size);
        }
        mediaType = mediaType == null ? "" : mediaType;
        // JSON null inside string arrays and maps decodes to "" in Go, which BuildKit uses; match it.
        urls = urls == null ? List.of() : urls.stream().map(u -> u == null ? "" : u).toList();
        if (annotations == null || annotations.isEmpty()) {
            annotations = Collections.emptySortedMap();
        } else {
            TreeMap<String, String> copy = new TreeMap<>();
            annotations.forEach((k, v) -> copy.put(k, v == null ? "" : v));
            annotations = Collections.unmodifiableSortedMap(copy);
        }
        data = data == null || data.isEmpty() ? null : data;
        artifactType = artifactType == null || artifactType.isEmpty() ? null : artifactType;
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped through method handles
    // (ObjectMethods), which for eight components spins some twenty LambdaForm classes at first use, about 15 ms of
    // a fresh CLI process (every build compares descriptors when it tags its image). Same contract as the record's.
    @Override
    public boolean equals(Object o) {
        return o instanceof Descriptor d && size == d.size && digest.equals(d.digest) && mediaType.equals(d.mediaType)
                && urls.equals(d.urls) && annotations.equals(d.annotations) && Objects.equals(data, d.data)
                && Objects.equals(platform, d.platform) && Objects.equals(artifactType, d.artifactType);
    }

    @Override
    public int hashCode() {
        int h = digest.hashCode();
        h = 31 * h + Long.hashCode(size);
        h = 31 * h + mediaType.hashCode();
        h = 31 * h + urls.hashCode();
        h = 31 * h + annotations.hashCode();
        h = 31 * h + Objects.hashCode(data);
        h = 31 * h + Objects.hashCode(platform);
        return 31 * h + Objects.hashCode(artifactType);
    }

    /** Makes a plain descriptor with no optional fields. */
    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(Objects.requireNonNull(mediaType, "mediaType"), digest, size, null, null, null, null,
                null);
    }

    /** Returns a copy with the given annotations (replacing the current ones). */
    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, urls, new TreeMap<>(newAnnotations), data, platform,
                artifactType);
    }

    /** Returns a copy with one annotation added or replaced. */
    public Descriptor withAnnotation(String key, String value) {
        TreeMap<String, String> copy = new TreeMap<>(annotations);
        copy.put(key, value);
        return withAnnotations(copy);
    }

    /** Returns a copy without the given annotation. */
    public Descriptor withoutAnnotation(String key) {
        TreeMap<String, String> copy = new TreeMap<>(annotations);
        copy.remove(key);
        return withAnnotations(copy);
    }

    /** Returns a copy with the given platform (null to remove it). */
    public Descriptor withPlatform(Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, urls, annotations, data, newPlatform, artifactType);
    }

    /** Returns a copy with the given media type, e.g. to convert a Docker type to its OCI counterpart. */
    public Descriptor withMediaType(String newMediaType) {
        return new Descriptor(newMediaType, digest, size, urls, annotations, data, platform, artifactType);
    }
}
