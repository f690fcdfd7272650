package dev.wharf.layers.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.wharf.layers.Digest;
import java.util.List;

/**
 * The {@code rootfs} of an image config: the diff IDs (digests of the uncompressed layer tars), bottom layer first.
 *
 * <p>An immutable record, thread-safe. Both fields are always written, as the spec requires; an empty list is
 * written as {@code []} (BuildKit writes {@code null} for a layerless image, which reads back as empty).
 *
 * @param type always {@code layers}
 * @param diffIds the uncompressed digests of the layers, in manifest order
 */
@JsonPropertyOrder({"type", "diff_ids"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
    /** The only rootfs type the spec defines. */
    public static final String TYPE_LAYERS = "layers";

    /** Normalizes: type defaults to "" when absent (then written back as read), diff IDs copied. */
    public RootFs {
        type = type == null ? "" : type;
        diffIds = Copies.list(diffIds, "rootfs.diff_ids");
    }

    /** Makes a {@code layers} rootfs with the given diff IDs. */
    public static RootFs layers(List<Digest> diffIds) {
        return new RootFs(TYPE_LAYERS, diffIds);
    }
}
