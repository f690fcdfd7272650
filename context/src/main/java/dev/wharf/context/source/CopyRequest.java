package dev.wharf.context.source;

import java.util.List;
import java.util.Objects;

/**
 * One COPY or ADD from the local build context, after the planner expanded its words: the source paths as
 * written, the destination as an absolute path inside the image (WORKDIR already applied, trailing {@code /} kept
 * because it matters), the {@code --exclude} patterns and {@code --parents}. Immutable.
 */
public record CopyRequest(List<String> sources, String destination, List<String> excludePatterns, boolean parents) {

    public CopyRequest {
        sources = List.copyOf(sources);
        Objects.requireNonNull(destination, "destination");
        excludePatterns = List.copyOf(excludePatterns);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a COPY needs at least one source");
        }
    }
}
