package dev.wharf.builder.plan;

import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.Instruction;
import dev.wharf.grammar.instructions.Mount;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One planned instruction of a stage: what will run, after variable expansion and scoping.
 *
 * <p>Immutable and thread-safe.
 *
 * @param range       where the instruction is; for an ONBUILD trigger, the FROM that ran it
 * @param instruction the instruction with variables expanded where BuildKit expands them (a new value; the
 *                    Dockerfile's own instruction is untouched)
 * @param mounts      for RUN, its {@code --mount}s expanded and validated; empty otherwise
 * @param environment the environment, working directory, user and shell the step runs with
 * @param usedArgs    the build ARGs (name to value) the step depends on: those its expansion looked up and, for
 *                    RUN, every ARG in scope (they are in its environment); for cache keys
 * @param sources     the stages and images it reads ({@code COPY --from}, {@code RUN --mount from=}), in order
 * @param config      the image config after the step
 * @param onBuild     true for a trigger inherited from the base image or stage
 * @param ignoreCache true when {@code --no-cache} or {@code --no-cache-filter} covers the stage
 */
public record Step(SourceRange range, Instruction instruction, List<Mount> mounts, StepEnvironment environment,
                   Map<String, String> usedArgs, List<StepSource> sources, ImageConfig config, boolean onBuild,
                   boolean ignoreCache) {
    public Step {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(instruction, "instruction");
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(environment, "environment");
        usedArgs = Collections.unmodifiableMap(new LinkedHashMap<>(usedArgs));
        sources = List.copyOf(sources);
        Objects.requireNonNull(config, "config");
    }

    /** The instruction kind, upper case ({@code RUN}). */
    public String kind() {
        return instruction.kind();
    }
}
