package dev.wharf.builder.plan;

/**
 * An {@link ImageConfigResolver} could not find or read an image. The planner reports it against the FROM (or
 * {@code --from}) that named the image.
 */
public class ImageResolutionException extends Exception {

    private static final long serialVersionUID = 1L;

    public ImageResolutionException(String message) {
        super(message);
    }

    public ImageResolutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
