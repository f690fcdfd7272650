package dev.wharf.layers.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.wharf.layers.json.GoTime;
import java.time.OffsetDateTime;

/**
 * One entry of an image config's {@code history}: how one layer (or one metadata-only step) was made.
 *
 * <p>An immutable record, thread-safe. Fields follow image-spec {@code config.md} and {@code specs-go/v1/config.go}
 * {@code History}; empty text and {@code false} are omitted, as Go's {@code omitempty} does, and normalized to null.
 *
 * @param created when the step ran, or null
 * @param createdBy the command that made the layer, e.g. {@code RUN /bin/sh -c apk add curl # buildkit}
 * @param author the author, or null
 * @param comment a free comment, e.g. {@code buildkit.dockerfile.v0}
 * @param emptyLayer true if the step made no layer (ENV, CMD, ...); such entries have no diff ID in the rootfs
 */
@JsonPropertyOrder({"created", "created_by", "author", "comment", "empty_layer"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record HistoryEntry(
        @JsonProperty("created") @JsonSerialize(using = GoTime.Serializer.class)
                @JsonDeserialize(using = GoTime.Deserializer.class) OffsetDateTime created,
        @JsonProperty("created_by") String createdBy,
        @JsonProperty("author") String author,
        @JsonProperty("comment") String comment,
        @JsonProperty("empty_layer") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean emptyLayer) {

    /** Normalizes empty text to null. */
    public HistoryEntry {
        createdBy = emptyToNull(createdBy);
        author = emptyToNull(author);
        comment = emptyToNull(comment);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
