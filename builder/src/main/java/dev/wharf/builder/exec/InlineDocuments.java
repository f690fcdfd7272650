package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.Step;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.InlineFile;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.SourceContent;
import dev.wharf.grammar.instructions.SourcesAndDest;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * BuildKit's {@code [internal] preparing inline document} vertices: dockerfile2llb makes each here-document a COPY
 * or ADD copies, and the script of a RUN that is one {@code #!} here-document, a file on scratch of its own
 * ({@code llb.Mkfile} with {@code WithInternalName}), so progress shows one such vertex per distinct file (same name,
 * mode and text are one vertex, as equal LLB is), done, not cached, on every build (the peer's BuildKit 0.13 shows
 * them so on a rebuild too). They have no inputs, so BuildKit starts them with the solve, before the steps;
 * wharf shows them once, before the first step. Thread-safe.
 */
final class InlineDocuments {
    private final Set<String> documents;
    private final ProgressListener listener;
    private final AtomicInteger counter;
    private boolean shown;

    private InlineDocuments(Set<String> documents, ProgressListener listener, AtomicInteger counter) {
        this.documents = documents;
        this.listener = listener;
        this.counter = counter;
    }

    /** The inline documents of every step of {@code plan}, shown through {@code listener}. */
    static InlineDocuments of(BuildPlan plan, ProgressListener listener, AtomicInteger counter) {
        Set<String> documents = new LinkedHashSet<>();
        for (PlannedStage stage : plan.stages()) {
            for (Step step : stage.steps()) {
                documents(step, documents);
            }
        }
        return new InlineDocuments(documents, listener, counter);
    }

    /** Shows the vertices, once per build; a later call does nothing. */
    synchronized void show() {
        if (shown) {
            return;
        }
        shown = true;
        for (int i = 0; i < documents.size(); i++) {
            int number = counter.incrementAndGet();
            listener.onEvent(new BuildEvent.StepStarted(number, "internal", 0, 0, "preparing inline document"));
            listener.onEvent(new BuildEvent.StepDone(number, Duration.ZERO));
        }
    }

    private static void documents(Step step, Set<String> out) {
        // The file's identity: Mkfile's path (the document's name), mode and data, as the LLB digest has them.
        if (step.instruction() instanceof CopyInstruction copy) {
            contents(copy.files(), out);
        } else if (step.instruction() instanceof AddInstruction add) {
            contents(add.files(), out);
        } else if (step.instruction() instanceof RunInstruction run) {
            Optional<InlineFile> script = RunCommand.shebangScript(run.command());
            script.ifPresent(f -> out.add(f.name() + "\0" + "755" + "\0" + RunCommand.scriptText(f)));
        }
    }

    private static void contents(SourcesAndDest files, Set<String> out) {
        for (SourceContent content : files.sourceContents()) {
            out.add(content.path() + "\0" + "644" + "\0" + content.data());
        }
    }
}
