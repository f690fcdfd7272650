package dev.wharf.builder.plan;

import dev.wharf.grammar.SourceRange;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One stage of the plan: where it starts from and its steps.
 *
 * <p>Immutable and thread-safe.
 *
 * @param index       the stage's 0-based position in the Dockerfile
 * @param name        the name after {@code AS}, lower-cased
 * @param baseName    the FROM's image or stage reference after expansion
 * @param base        what it starts from
 * @param platform    the platform it builds for
 * @param fromArgs    the global ARGs (name to value) the FROM line used
 * @param range       the FROM line
 * @param steps       the steps in order (ONBUILD triggers of the base first)
 * @param config      the image config at the end of the stage
 * @param ignoreCache true when {@code --no-cache} or {@code --no-cache-filter} covers the stage
 */
public record PlannedStage(int index, Optional<String> name, String baseName, StageBase base, Platform platform,
                           Map<String, String> fromArgs, SourceRange range, List<Step> steps, ImageConfig config,
                           boolean ignoreCache) {
    public PlannedStage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseName, "baseName");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(platform, "platform");
        fromArgs = Collections.unmodifiableMap(new LinkedHashMap<>(fromArgs));
        Objects.requireNonNull(range, "range");
        steps = List.copyOf(steps);
        Objects.requireNonNull(config, "config");
    }

    /** The name BuildKit shows: the stage name, or {@code stage-N}. */
    public String displayName() {
        return name.orElse("stage-" + index);
    }
}
