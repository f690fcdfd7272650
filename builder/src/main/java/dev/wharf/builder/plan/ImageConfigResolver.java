package dev.wharf.builder.plan;

/**
 * Looks up a base image's metadata: the planner's one seam to the outside world (BuildKit's
 * {@code ImageMetaResolver.ResolveImageConfig}). Implementations read the local store or a registry; tests pass a
 * fixed in-memory one.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ImageConfigResolver {

    /**
     * The image {@code reference} names, for {@code platform}.
     *
     * @param reference the reference as written in the Dockerfile, after variable expansion
     * @param platform  the platform wanted
     * @throws ImageResolutionException when the image does not exist or cannot be read
     */
    BaseImage resolve(String reference, Platform platform) throws ImageResolutionException;
}
