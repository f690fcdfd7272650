package dev.wharf.builder.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The result of planning: the stages the target needs, in Dockerfile order, each with its expanded steps. Pure
 * data; printing, comparing and asserting it needs no filesystem, network or root.
 *
 * <p>Immutable and thread-safe.
 *
 * @param stages          the stages to build (only those the target needs), in Dockerfile order
 * @param target          the index of the target stage
 * @param platform        the platform built for
 * @param globalArgs      the global scope: predefined ARGs and the ARGs before the first FROM, resolved
 * @param proxyEnv        proxy variables from the build args ({@code HTTP_PROXY}...): given to every RUN, but
 *                        not part of any cache key, as in BuildKit
 * @param sourceDateEpoch {@code SOURCE_DATE_EPOCH} in seconds, when set
 * @param warnings        warnings found while planning
 * @param stageCount      how many dispatch states BuildKit has for the Dockerfile: its stages (built or not),
 *                        the images {@code --from} reads, and a placeholder for {@code RUN --mount}s without
 *                        {@code from=}; with one, BuildKit names no stage in its progress ({@code [1/2] FROM ...})
 */
public record BuildPlan(List<PlannedStage> stages, int target, Platform platform, Map<String, String> globalArgs,
                        Map<String, String> proxyEnv, OptionalLong sourceDateEpoch, List<PlanWarning> warnings,
                        int stageCount) {
    public BuildPlan {
        stages = List.copyOf(stages);
        Objects.requireNonNull(platform, "platform");
        globalArgs = Collections.unmodifiableMap(new LinkedHashMap<>(globalArgs));
        proxyEnv = Collections.unmodifiableMap(new LinkedHashMap<>(proxyEnv));
        Objects.requireNonNull(sourceDateEpoch, "sourceDateEpoch");
        warnings = List.copyOf(warnings);
        int t = target;
        if (stages.stream().noneMatch(s -> s.index() == t)) {
            throw new IllegalArgumentException("target stage " + target + " is not among the planned stages");
        }
    }

    /** The target stage. */
    public PlannedStage targetStage() {
        return stage(target).orElseThrow();
    }

    /** The planned stage with Dockerfile index {@code index}, if the target needs it. */
    public Optional<PlannedStage> stage(int index) {
        return stages.stream().filter(s -> s.index() == index).findFirst();
    }

    /** The planned stage named {@code name} (case-insensitive), if the target needs it. */
    public Optional<PlannedStage> stage(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return stages.stream().filter(s -> s.name().map(lower::equals).orElse(false)).findFirst();
    }
}
