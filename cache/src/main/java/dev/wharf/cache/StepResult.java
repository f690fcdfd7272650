package dev.wharf.cache;

import dev.wharf.layers.layer.LayerBlob;
import java.util.List;
import java.util.Objects;

/**
 * What a step produced: the layers it added and the image config after it.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param layers the layers the step added, in order (descriptor with digest, size and media type, plus diff ID);
 *     empty for metadata-only steps (ENV, LABEL, ...)
 * @param config the image config after the step as JSON text, opaque to the cache and returned exactly as saved
 */
public record StepResult(List<LayerBlob> layers, String config) {
    /** Validates and copies; the config must be well-formed text ({@link TextChecks}). */
    public StepResult {
        layers = List.copyOf(layers);
        TextChecks.wellFormed(Objects.requireNonNull(config, "config"), "image config");
    }

    /** Returns the result of a metadata-only step: no layers, only a config. */
    public static StepResult metadataOnly(String config) {
        return new StepResult(List.of(), config);
    }

    /** Returns the result of a step that added the given layers. */
    public static StepResult of(List<LayerBlob> layers, String config) {
        return new StepResult(layers, config);
    }

    /** Returns whether the step added no layer. */
    public boolean isMetadataOnly() {
        return layers.isEmpty();
    }
}
