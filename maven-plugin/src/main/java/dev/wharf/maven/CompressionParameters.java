package dev.wharf.maven;

import dev.wharf.builder.api.OutputCompression;
import java.util.HashMap;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The layer compression parameters of the goals that push or export images ({@code wharf:build},
 * {@code wharf:push}), read by the same parser as the CLI's {@code --output} attributes. Mojos are configured by
 * Maven and run once; not thread-safe.
 */
abstract class CompressionParameters extends AbstractMojo {
    /**
     * How pushed and exported layers are compressed: {@code gzip} (the default), {@code zstd} or
     * {@code uncompressed}; the store keeps the layers a build makes uncompressed.
     */
    @Parameter(property = "wharf.compression")
    String compression;

    /** The compression level: gzip 0..9 (default 6), zstd 1..22 (default 3). */
    @Parameter(property = "wharf.compressionLevel")
    Integer compressionLevel;

    /** Also recompresses base-image layers compressed with another algorithm ({@code force-compression}). */
    @Parameter(property = "wharf.forceCompression", defaultValue = "false")
    boolean forceCompression;

    /** The parameters as an {@link OutputCompression}; a bad value fails the goal naming it. */
    OutputCompression layerCompression() throws MojoFailureException {
        Map<String, String> attributes = new HashMap<>();
        if (compression != null && !compression.isBlank()) {
            attributes.put("compression", compression);
        }
        if (compressionLevel != null) {
            attributes.put("compression-level", compressionLevel.toString());
        }
        attributes.put("force-compression", Boolean.toString(forceCompression));
        try {
            return OutputCompression.parse(attributes, "<compression>");
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
    }
}
