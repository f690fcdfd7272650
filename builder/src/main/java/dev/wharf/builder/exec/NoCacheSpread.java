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
    /**
     * Each chain (a root, then the texts of the filesystem steps on it) as a small number: the chain of a step is
     * the number of its parent's chain and its own text. Not the chain's text itself, which for a 10,000-step
     * Dockerfile (PlannerBenchmark) would copy and keep hundreds of megabytes.
     */
    private final Map<String, Integer> chains = new HashMap<>();
    private final Map<Integer, int[]> paths = new HashMap<>();
    private final Set<Integer> ignoring = new HashSet<>();

    /**
     * @param text a step's text as the build shows it
     * @param filesystem whether a step is a build graph vertex (RUN, COPY, ADD, WORKDIR other than /)
     */
    NoCacheSpread(BuildPlan plan, Function<Step, String> text, java.util.function.Predicate<Step> filesystem) {
        // Without a step that has the cache off there is nothing to spread: skip hashing every step's text, which
        // each build would otherwise do for the rare --no-cache-filter.
        if (plan.stages().stream().noneMatch(stage -> stage.steps().stream().anyMatch(Step::ignoreCache))) {
            return;
        }
        for (PlannedStage stage : plan.stages()) {
            int[] path = new int[stage.steps().size()];
            int chain = root(stage, plan);
            int i = 0;
            for (Step step : stage.steps()) {
                if (filesystem.test(step)) {
                    chain = chain(chain + "\n" + text.apply(step));
                    if (step.ignoreCache()) {
                        ignoring.add(chain);
                    }
                }
                path[i++] = chain;
            }
            paths.put(stage.index(), path);
        }
    }

    /** Whether the step {@code index} of {@code stage} runs with the cache off, its own setting or a peer's. */
    boolean ignoresCache(PlannedStage stage, int index) {
        Step step = stage.steps().get(index);
        return step.ignoreCache() || !ignoring.isEmpty() && ignoring.contains(paths.get(stage.index())[index]);
    }

    private int chain(String parentAndText) {
        Integer known = chains.get(parentAndText);
        if (known != null) {
            return known;
        }
        int id = chains.size();
        chains.put(parentAndText, id);
        return id;
    }

    /** The chain a stage starts from: its base image, context or scratch, through the stages it is built on. */
    private int root(PlannedStage stage, BuildPlan plan) {
        if (stage.base() instanceof StageBase.Stage s) {
            int[] base = paths.get(s.index());
            if (base != null) {
                return base.length == 0 ? root(plan.stage(s.index()).orElseThrow(), plan) : base[base.length - 1];
            }
            return chain("stage " + s.index());
        }
        // Spelled out rather than the records' toString: the first call of a record's generated toString costs a
        // fresh process ~35 ms of method-handle spinning (ObjectMethods), and an image's would print its config.
        String kind = stage.base() instanceof StageBase.Image ? "image"
                : stage.base() instanceof StageBase.Context c ? "context " + c.name() : "scratch";
        return chain("root " + kind + " " + stage.baseName() + " " + stage.platform().format());
    }
}
