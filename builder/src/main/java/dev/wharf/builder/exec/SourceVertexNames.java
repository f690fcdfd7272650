package dev.wharf.builder.exec;

import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.RunInstruction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The name BuildKit gives a source vertex that several dispatch states share: the base image of two stages, or a
 * stage's base that a {@code COPY --from=IMAGE} (or {@code RUN --mount from=IMAGE}) also reads. Each state makes
 * its own image op with its own name, and the ops are one vertex by digest; llb's marshalling walks the target's
 * graph depth-first, an op's inputs before the op (a step's own state first, then the states it reads), and merges
 * the names so that the op marshalled last names the vertex (llb/state.go marshal, mergeMetadata). An image that
 * only {@code --from} reads is a state with no commands, which BuildKit names without a prefix
 * ({@code FROM docker.io/library/busybox:latest}). Measured against dockerd 26.1.5 (BuildKit 0.13): a stage
 * {@code a} and the final stage both FROM busybox, the final one copying from a, shows {@code [a 1/2] FROM ...};
 * {@code FROM busybox} with {@code COPY --from=busybox} shows the vertex without a prefix. Immutable.
 */
final class SourceVertexNames {
    /** How a source vertex is named: {@code [stage index/total]}, or the text alone when {@code total} is 0. */
    record Name(String stage, int index, int total) {
    }

    private final Map<String, Name> names;

    private SourceVertexNames(Map<String, Name> names) {
        this.names = Map.copyOf(names);
    }

    /**
     * @param progress a stage's numbering (its name in progress and its cmdTotal)
     * @param fromName the vertex text of an image a step reads, after {@code FROM } (normalized, with its resolved
     *     digest)
     */
    static SourceVertexNames of(BuildPlan plan, Function<PlannedStage, String> stageName,
                                Function<PlannedStage, StageProgress> progress,
                                Function<StepSource.Image, String> fromName) {
        Walk walk = new Walk(plan, stageName, progress, fromName);
        walk.stage(plan.target());
        return new SourceVertexNames(walk.names);
    }

    /** The key of a source vertex: its text and platform (the same image for another platform is another op). */
    static String key(String fromName, Object platform) {
        return fromName + " " + platform;
    }

    /** The name of the vertex {@code key}, when the target's graph has it. */
    Optional<Name> name(String key) {
        return Optional.ofNullable(names.get(key));
    }

    /** One depth-first walk of the target's states, in llb's marshalling order. */
    private static final class Walk {
        private final BuildPlan plan;
        private final Function<PlannedStage, String> stageName;
        private final Function<PlannedStage, StageProgress> progress;
        private final Function<StepSource.Image, String> fromName;
        private final Set<Integer> stages = new HashSet<>();
        private final Set<String> readImages = new HashSet<>();
        private final Map<String, Name> names = new HashMap<>();

        Walk(BuildPlan plan, Function<PlannedStage, String> stageName, Function<PlannedStage, StageProgress> progress,
             Function<StepSource.Image, String> fromName) {
            this.plan = plan;
            this.stageName = stageName;
            this.progress = progress;
            this.fromName = fromName;
        }

        void stage(int index) {
            Optional<PlannedStage> found = plan.stage(index);
            if (found.isEmpty() || !stages.add(index)) {
                return; // a state already marshalled: llb skips a vertex it has seen
            }
            PlannedStage stage = found.get();
            if (stage.base() instanceof StageBase.Stage base) {
                stage(base.index());
            } else if (stage.base() instanceof StageBase.Image img && !img.image().scratch()) {
                StageProgress numbering = progress.apply(stage);
                names.put(numbering.vertexKey(), new Name(stageName.apply(stage), 1, numbering.total()));
            }
            for (Step step : stage.steps()) {
                for (StepSource source : inputOrder(step)) {
                    if (source instanceof StepSource.Stage read) {
                        stage(read.index());
                    } else if (source instanceof StepSource.Image read && !read.image().scratch()) {
                        String key = key(fromName.apply(read), read.image().platform());
                        // One state per image --from names (dockerfile2llb's implicit stage), marshalled once.
                        if (readImages.add(key)) {
                            names.put(key, new Name("", 0, 0));
                        }
                    }
                }
            }
        }

        /**
         * A step's sources in the order of its op's inputs: a COPY's as written; a RUN's by mount target
         * (ExecOp sorts its mounts, strings.Compare, a relative target resolved against WORKDIR first).
         */
        private static List<StepSource> inputOrder(Step step) {
            if (!(step.instruction() instanceof RunInstruction)) {
                return step.sources();
            }
            List<StepSource> sorted = new ArrayList<>(step.sources());
            String workdir = step.config().workingDir();
            sorted.sort(Comparator.comparing((StepSource s) -> mountTarget(step, s.written(), workdir),
                    Walk::byteOrder));
            return sorted;
        }

        private static String mountTarget(Step step, String from, String workdir) {
            for (Mount m : step.mounts()) {
                if (m.from().equals(from)) {
                    String t = m.target();
                    return t.startsWith("/") ? t : (workdir.isEmpty() ? "/" : workdir.endsWith("/") ? workdir
                            : workdir + "/") + t;
                }
            }
            return "";
        }

        private static int byteOrder(String a, String b) {
            return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
        }
    }
}
