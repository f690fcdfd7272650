package dev.wharf.grammar.instructions;

import dev.wharf.grammar.go.GoStrings;
import dev.wharf.grammar.parser.Directives;
import dev.wharf.grammar.parser.Warning;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole Dockerfile as typed instructions: its parser directives, the ARGs before the first FROM (meta ARGs,
 * usable in FROM lines) and its stages: BuildKit's {@code instructions.Parse} result.
 *
 * <p>Immutable and thread-safe.
 */
public record Dockerfile(Directives directives, List<ArgInstruction> metaArgs, List<Stage> stages,
                         List<Warning> warnings) {
    public Dockerfile {
        Objects.requireNonNull(directives, "directives");
        metaArgs = List.copyOf(metaArgs);
        stages = List.copyOf(stages);
        warnings = List.copyOf(warnings);
    }

    /** The stage named {@code name}, compared case-insensitively as BuildKit does ({@code HasStage}). */
    public Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> s.name().map(n -> GoStrings.equalFold(n, name)).orElse(false)).findFirst();
    }
}
