package dev.wharf.builder.plan;

import dev.wharf.layers.registry.ImageReference;
import dev.wharf.layers.registry.InvalidReferenceException;
import java.util.Optional;

/**
 * Checks image references as BuildKit's {@code resolveBaseImage} does with {@code ParseNormalizedNamed} before it
 * looks an image up: a thin use of the registry client's {@link ImageReference#parse}, which follows
 * {@code github.com/distribution/reference} with its error texts.
 *
 * <p>Stateless and thread-safe.
 */
final class ImageReferences {

    private ImageReferences() {
    }

    /** Why {@code reference} is not a valid image reference (Docker's error text), or empty when it is. */
    static Optional<String> problem(String reference) {
        try {
            ImageReference.parse(reference);
            return Optional.empty();
        } catch (InvalidReferenceException e) {
            return Optional.of(e.getMessage());
        }
    }
}
