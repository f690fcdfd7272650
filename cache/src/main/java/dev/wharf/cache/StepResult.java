package dev.wharf.cache;

import dev.wharf.layers.Digest;
import dev.wharf.layers.layer.LayerBlob;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What a step produced: the layers it added and the image config after it.
 *
 * <p>Immutable and thread-safe. The config is JSON text, opaque to the cache and returned exactly as saved. A result
 * read from a {@link FileCacheStore} holds only the config's digest and reads the text on the first call of
 * {@link #config()}: a cache hit does not need it (only an export of the cache does), and reading every step's
 * config, which grows with the image's history, made a cached build's reading quadratic in its steps. Equality is by
 * layers and config digest, so a loaded and a made result of the same config are equal.
 */
public final class StepResult {
    /** Where a result read from a store gets its config text. */
    interface ConfigSource {
        /**
         * Returns the config with this digest, checked against it.
         *
         * @throws IllegalStateException if it is gone or damaged
         */
        String load(Digest digest);
    }

    private final List<LayerBlob> layers;
    private final ConfigSource source;
    private volatile String config;
    private volatile Digest configDigest;
    private volatile long configSize;

    private StepResult(List<LayerBlob> layers, String config, Digest configDigest, long configSize,
                       ConfigSource source) {
        this.layers = List.copyOf(layers);
        this.config = config;
        this.configDigest = configDigest;
        this.configSize = configSize;
        this.source = source;
    }

    /** Returns the result of a step that added the given layers; the config must be well-formed text. */
    public static StepResult of(List<LayerBlob> layers, String config) {
        TextChecks.wellFormed(Objects.requireNonNull(config, "config"), "image config");
        return new StepResult(layers, config, null, -1, null);
    }

    /** Returns the result of a metadata-only step: no layers, only a config. */
    public static StepResult metadataOnly(String config) {
        return of(List.of(), config);
    }

    /** Returns a result whose config {@code source} reads when first asked for. */
    static StepResult stored(List<LayerBlob> layers, Digest configDigest, long configSize, ConfigSource source) {
        if (configSize < 0) {
            throw new IllegalArgumentException("negative config size " + configSize);
        }
        return new StepResult(layers, null, Objects.requireNonNull(configDigest, "configDigest"), configSize,
                Objects.requireNonNull(source, "source"));
    }

    /** Returns the layers the step added, in order; empty for metadata-only steps (ENV, LABEL, ...). */
    public List<LayerBlob> layers() {
        return layers;
    }

    /**
     * Returns the image config after the step, read from the store on first use for a stored result.
     *
     * @throws IllegalStateException if the store lost or damaged the config since the record was read
     */
    public String config() {
        String text = config;
        if (text == null) {
            text = source.load(configDigest);
            config = text;
        }
        return text;
    }

    /** Returns the sha256 digest of the config's UTF-8 bytes (its name in a store), without reading a stored one. */
    public Digest configDigest() {
        Digest digest = configDigest;
        if (digest == null) {
            byte[] bytes = config.getBytes(StandardCharsets.UTF_8);
            configSize = bytes.length;
            digest = Digest.sha256Of(bytes);
            configDigest = digest;
        }
        return digest;
    }

    /** Returns the size of the config's UTF-8 bytes, without reading a stored one. */
    long configSize() {
        configDigest();
        return configSize;
    }

    /** Returns whether the config is read from a store when first asked for (or was read so). */
    boolean isStored() {
        return source != null;
    }

    /** Returns whether the step added no layer. */
    public boolean isMetadataOnly() {
        return layers.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StepResult r && r.layers.equals(layers) && r.configDigest().equals(configDigest());
    }

    @Override
    public int hashCode() {
        return layers.hashCode() * 31 + configDigest().hashCode();
    }

    @Override
    public String toString() {
        return "StepResult[layers=" + layers + ", config=" + configDigest() + "]";
    }
}
