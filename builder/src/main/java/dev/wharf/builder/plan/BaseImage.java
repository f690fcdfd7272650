package dev.wharf.builder.plan;

import java.util.Objects;

/**
 * A base image as the {@link ImageConfigResolver} found it: its canonical reference (ideally pinned by digest),
 * its platform and its config.
 *
 * <p>Immutable and thread-safe.
 *
 * @param reference the canonical reference to pull ({@code docker.io/library/alpine:3.20@sha256:...})
 * @param platform  the platform of the image
 * @param config    its configuration
 * @param scratch   true when the image has no layers (BuildKit then starts from an empty filesystem)
 */
public record BaseImage(String reference, Platform platform, ImageConfig config, boolean scratch) {
    public BaseImage {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(config, "config");
    }
}
