package dev.wharf.builder.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link ImageConfigResolver} for tests: images by reference, plus a record of every lookup.
 * Unknown references fail like a missing image does.
 */
final class FixedResolver implements ImageConfigResolver {

    static final Platform HOST = Platform.of("linux", "amd64", "");

    private final Map<String, BaseImage> images = new HashMap<>();
    private final List<String> lookups = Collections.synchronizedList(new ArrayList<>());
    private final boolean anyImage;

    private FixedResolver(boolean anyImage) {
        this.anyImage = anyImage;
    }

    /** Knows only the images added with {@link #with}. */
    static FixedResolver of() {
        return new FixedResolver(false);
    }

    /** Answers every reference with a small busybox-like image. */
    static FixedResolver anyImage() {
        return new FixedResolver(true);
    }

    FixedResolver with(String reference, ImageConfig config) {
        images.put(reference, new BaseImage("docker.io/library/" + reference, HOST, config, false));
        return this;
    }

    List<String> lookups() {
        return List.copyOf(lookups);
    }

    @Override
    public BaseImage resolve(String reference, Platform platform) throws ImageResolutionException {
        lookups.add(reference);
        BaseImage image = images.get(reference);
        if (image != null) {
            return image;
        }
        if (anyImage) {
            return new BaseImage("docker.io/library/" + reference, platform,
                    ImageConfig.empty().withEnv(List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin")), false);
        }
        throw new ImageResolutionException("pull access denied, repository does not exist or may require "
                + "authorization");
    }
}
