package dev.wharf.builder.exec;

import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which steps run with the cache off because an equal step of another stage has it off ({@code --no-cache-filter
 * a} with stages a and b both starting {@code FROM base} with the same steps). In BuildKit those steps are one
 * vertex whose metadata merges IgnoreCache by OR (client/llb/state.go, mergeMetadata), so the shared step runs
 * afresh for both stages; here each stage reaches it on its own, in either order, so the stage without the filter
 * has to know up front, or it would take the old cache record whenever it came first.
 *
 * <p>Steps are matched by their stage's root base (image, named context or scratch, through {@code FROM stage})
 * and the texts of the filesystem steps up to them: what must be equal for their cache keys to be. A match whose
 * key then differs (another ENV before a RUN) only runs that step afresh, as {@code --no-cache} would.
 *
 * <p>Immutable once built; thread-safe.
 */
final class NoCacheSpread {
    private final Map<Integer, List<String>> paths = new HashMap<>();
    private final Set<String> ignoring = new HashSet<>();

    /**
     * @param text a step's text as the build shows it
     * @param filesystem whether a step is a build graph vertex (RUN, COPY, ADD, WORKDIR other than /)
     */
    NoCacheSpread(BuildPlan plan, Function<Step, String> text, java.util.function.Predicate<Step> filesystem) {
        for (PlannedStage stage : plan.stages()) {
            List<String> path = new ArrayList<>();
            String chain = root(stage, plan);
            for (Step step : stage.steps()) {
                if (filesystem.test(step)) {
                    chain = chain + "\n" + text.apply(step);
                    if (step.ignoreCache()) {
                        ignoring.add(chain);
                    }
                }
                path.add(chain);
            }
            paths.put(stage.index(), List.copyOf(path));
        }
    }

    /** Whether the step {@code index} of {@code stage} runs with the cache off, its own setting or a peer's. */
    boolean ignoresCache(PlannedStage stage, int index) {
        Step step = stage.steps().get(index);
        return step.ignoreCache() || ignoring.contains(paths.get(stage.index()).get(index));
    }

    /** The chain a stage starts from: its base image, context or scratch, through the stages it is built on. */
    private String root(PlannedStage stage, BuildPlan plan) {
        if (stage.base() instanceof StageBase.Stage s) {
            List<String> base = paths.get(s.index());
            if (base != null) {
                return base.isEmpty() ? root(plan.stage(s.index()).orElseThrow(), plan) : base.get(base.size() - 1);
            }
            return "stage " + s.index();
        }
        return stage.base() + " " + stage.baseName() + " " + stage.platform();
    }
}
