package dev.wharf.builder.exec;

import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import java.util.Optional;

/** A stage's vertex numbering, as BuildKit's dispatchState cmdIndex/cmdTotal. Not thread-safe. */
final class StageProgress {
    private final PlannedStage stage;
    private final Optional<String> resolvedDigest;
    private final int total;
    private int index;

    StageProgress(PlannedStage stage, Optional<String> resolvedDigest) {
        this.stage = stage;
        this.resolvedDigest = resolvedDigest;
        int count = hasFromVertex() ? 1 : 0;
        for (Step step : stage.steps()) {
            Instruction instruction = step.instruction();
            // ONBUILD triggers all count (convert.go adds len(commands) of the triggers), and every RUN,
            // COPY, ADD and WORKDIR of the stage, even a WORKDIR / that makes no vertex. BuildKit 0.13 (the peer,
            // dockerd 26) left the triggers out of the total ([4/3] RUN ... after two triggers); that was a bug,
            // fixed in BuildKit ec8d92fb5 (2024-10, "dockerfile: fix command count after new commands from
            // ONBUILD"): wharf counts as BuildKit does since.
            if (step.onBuild() || instruction instanceof RunInstruction || instruction instanceof CopyInstruction
                    || instruction instanceof AddInstruction || instruction instanceof WorkdirInstruction) {
                count++;
            }
        }
        this.total = count;
    }

    /**
     * The {@code [context NAME] TEXT} vertex that stands for the FROM of a stage started from a named context, as
     * {@code [stage, text]}: such a FROM is no step of the stage in BuildKit (no prefixCommand, so the stage's next
     * step is {@code [1/n]}, though n counts it); empty for a plain FROM.
     */
    Optional<String[]> contextVertex(java.util.function.Function<String, Optional<String>> filesVertex) {
        if (stage.base() instanceof StageBase.Image img && !img.contextName().isEmpty()) {
            return Optional.of(new String[] {"context " + img.contextName(), img.contextReference()});
        }
        if (stage.base() instanceof StageBase.Context context) {
            return filesVertex.apply(context.name()).map(text -> new String[] {"context " + context.name(), text});
        }
        return Optional.empty();
    }

    boolean hasFromVertex() {
        return stage.base() instanceof StageBase.Context
                || (stage.base() instanceof StageBase.Image img && !img.image().scratch());
    }

    /**
     * The FROM vertex's reference as BuildKit names it (convert.go, resolveBaseImage): the FROM's reference
     * normalized ({@code docker.io/library/NAME:TAG}), with the digest a registry resolved it to; a named
     * context by its name.
     */
    String fromName() {
        if (!(stage.base() instanceof StageBase.Image)) {
            return stage.baseName();
        }
        return imageName(stage.baseName(), resolvedDigest);
    }

    /** An image source's vertex text after {@code FROM }: the reference normalized, with its resolved digest. */
    static String imageName(String reference, Optional<String> resolvedDigest) {
        String name;
        try {
            name = dev.wharf.layers.registry.ImageReference.parse(reference).withDefaultTag().toString();
        } catch (dev.wharf.layers.registry.InvalidReferenceException | RuntimeException e) {
            return reference;
        }
        return resolvedDigest.filter(d -> !name.contains("@")).map(d -> name + "@" + d).orElse(name);
    }

    /**
     * The key of the stage's FROM vertex for {@link SourceVertexNames}: an image by its text and the image's
     * platform (as a {@code --from} of the same image is keyed), a named context by its name and the stage's.
     */
    String vertexKey() {
        return SourceVertexNames.key(fromName(), stage.base() instanceof StageBase.Image img
                ? img.image().platform() : stage.platform());
    }

    int total() {
        return total;
    }

    int next() {
        return ++index;
    }
}
