package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.plan.Step;
import dev.wharf.grammar.instructions.RunInstruction;

/**
 * What BuildKit calls a layer a step made (its cache ref's description), which its image exporter writes into the
 * history for a layer the history has no entry for: a RUN's {@code mount / from exec ARGV} (ops/exec.go), a file
 * operation's vertex name ({@code [stage-2 1/1] COPY --from=img /bin/busybox /b}). Stateless.
 */
final class LayerNotes {
    private LayerNotes() {
    }

    static String of(Step step, BuildEvent.StepStarted vertex) {
        if (step.instruction() instanceof RunInstruction run) {
            return "mount / from exec " + String.join(" ", RunCommand.argv(run.command(),
                    step.environment().shell()));
        }
        return vertex.label();
    }
}
