package dev.wharf.builder.exec;

import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.instructions.RunInstruction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which stage names a FROM vertex that several stages share (one image, one LLB source vertex): each stage's
 * {@code llb.Image} carries its own {@code [stage k/n] FROM ...} name, and marshalling the definition merges the
 * metadata of equal vertices in the order it visits them, the last one's name winning (client/llb/state.go marshal
 * and mergeMetadata). The visit is depth-first from the target, each vertex after its inputs: a step's inputs are
 * the stage's state before it, then what it reads of other stages (a COPY's source after its destination, FileOp
 * allOutputs; a RUN's mounts in the order of their targets, ExecOp Inputs), and a stage already visited is not
 * visited again. So the peer shows {@code [composer 1/3] FROM} for case 191, whose target copies from the composer
 * stage after building on the php stage, and {@code [a 1/2] FROM} for stages a and b read by a last one that copies
 * from a onto b. Immutable.
 */
final class FromVertexNames {
    private final Map<String, Integer> shownBy;

    private FromVertexNames(Map<String, Integer> shownBy) {
        this.shownBy = Map.copyOf(shownBy);
    }

    /**
     * The names for {@code plan}; {@code vertex} gives a stage's FROM vertex identity (its image and platform),
     * empty when the stage has none (scratch, another stage).
     */
    static FromVertexNames of(BuildPlan plan, Function<PlannedStage, Optional<String>> vertex) {
        Map<String, Integer> shownBy = new HashMap<>();
        new Object() {
            private final Set<Integer> visited = new HashSet<>();

            void visit(PlannedStage stage) {
                if (!visited.add(stage.index())) {
                    return;
                }
                if (stage.base() instanceof StageBase.Stage base) {
                    plan.stage(base.index()).ifPresent(this::visit);
                } else {
                    vertex.apply(stage).ifPresent(v -> shownBy.put(v, stage.index()));
                }
                for (Step step : stage.steps()) {
                    for (int index : readStages(step)) {
                        plan.stage(index).ifPresent(this::visit);
                    }
                }
            }
        }.visit(plan.targetStage());
        return new FromVertexNames(shownBy);
    }

    /** The stage whose name the vertex shows, by index; empty when no stage of the plan has it. */
    Optional<Integer> shownBy(String vertex) {
        return Optional.ofNullable(shownBy.get(vertex));
    }

    /** The stages {@code step} reads, in the order of the LLB op's inputs. */
    private static List<Integer> readStages(Step step) {
        List<StepSource.Stage> stages = new ArrayList<>();
        for (StepSource source : step.sources()) {
            if (source instanceof StepSource.Stage s) {
                stages.add(s);
            }
        }
        if (step.instruction() instanceof RunInstruction) {
            // ExecOp sorts its mounts by target (strings.Compare) before listing their sources.
            String workdir = step.config().workingDir();
            stages.sort(Comparator.comparing((StepSource.Stage s) -> mountTarget(step, s.written(), workdir),
                    FromVertexNames::byteOrder));
        }
        return stages.stream().map(StepSource.Stage::index).toList();
    }

    private static String mountTarget(Step step, String from, String workdir) {
        for (Mount m : step.mounts()) {
            if (m.from().equals(from)) {
                String t = m.target();
                // dockerfile2llb resolves a relative target against the working directory first.
                return t.startsWith("/") ? t : (workdir.isEmpty() ? "/" : workdir.endsWith("/") ? workdir
                        : workdir + "/") + t;
            }
        }
        return "";
    }

    private static int byteOrder(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
