package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.context.ignore.DockerIgnore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The vertices BuildKit shows for the local directories of named contexts (dockerui's namedcontext.go: one
 * {@code llb.Local} for the ignore file, one for the files), as buildx 0.13.1 prints them on the peer:
 *
 * <pre>
 * #2 [context dctx] load .dockerignore
 * #2 transferring dctx: 2B done
 * ...
 * #7 [context dctx] load from client
 * #7 transferring dctx: 34B done
 * </pre>
 *
 * The ignore file is loaded while the front end resolves the context, with the base images' metadata (a context
 * replacing a stage before them, as toDispatchState resolves a stage's own name first); the files when a step or a
 * stage first reads them. The byte counts are those of BuildKit's file sync ({@link FsutilTransferSize}, {@link
 * ContextTransfer}: a rebuild from the same directory sends only the stats of unchanged files).
 *
 * <p>Thread-safe: stages running at once may read the same context; one of them shows it.
 */
final class NamedContextVertices {
    private final NamedContexts contexts;
    private final Path stateDir;
    private final ProgressListener listener;
    private final AtomicInteger counter;
    private final List<String> replacing;
    private final List<String> read;
    private final Set<String> loaded = new HashSet<>();

    /**
     * @param plan     the build's plan, which says which local contexts the build reads and how
     * @param stateDir where the stats of each directory's last transfer are kept (shared with the main context's,
     *                 as BuildKit's receiver keeps them per directory)
     * @param counter  the build's vertex counter
     */
    NamedContextVertices(NamedContexts contexts, BuildPlan plan, Path stateDir, ProgressListener listener,
                         AtomicInteger counter) {
        this.contexts = contexts;
        this.stateDir = stateDir;
        this.listener = listener;
        this.counter = counter;
        Set<String> replaced = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        for (PlannedStage stage : plan.stages()) {
            if (stage.base() instanceof StageBase.Context c) {
                (c.replaced() ? replaced : others).add(c.name());
            }
            for (Step step : stage.steps()) {
                for (StepSource source : step.sources()) {
                    if (source instanceof StepSource.Context c) {
                        others.add(c.name());
                    }
                }
            }
        }
        others.removeAll(replaced);
        replaced.removeIf(name -> contexts.localDirectory(name).isEmpty());
        others.removeIf(name -> contexts.localDirectory(name).isEmpty());
        this.replacing = List.copyOf(replaced);
        this.read = List.copyOf(others);
    }

    /**
     * Shows the ignore-file loads of the contexts that replace a stage ({@code replacing}: before the base images'
     * metadata, as toDispatchState resolves a stage's own name first) or of the others.
     */
    void showIgnoreFiles(boolean replacing) {
        showIgnoreFiles(replacing ? this.replacing : read);
    }

    /** Shows {@code [context NAME] load .dockerignore} for each of {@code names}. */
    private void showIgnoreFiles(List<String> names) {
        for (String name : names) {
            Optional<Path> dir = contexts.localDirectory(name);
            if (dir.isEmpty()) {
                continue;
            }
            int step = counter.incrementAndGet();
            long start = System.nanoTime();
            listener.onEvent(new BuildEvent.StepStarted(step, "context " + name, 0, 0, "load .dockerignore"));
            Path file = dir.get().resolve(DockerIgnore.DEFAULT_NAME);
            long bytes = Files.isRegularFile(file) ? FsutilTransferSize.singleFile(file, DockerIgnore.DEFAULT_NAME)
                    : FsutilTransferSize.end();
            listener.onEvent(new BuildEvent.Transfer(step, label(name), bytes, 0, true));
            listener.onEvent(new BuildEvent.StepDone(step, Duration.ofNanos(System.nanoTime() - start)));
        }
    }

    /**
     * Claims the files vertex of the local context {@code name}: true the first time, when the caller shows it;
     * false for a context that is no local directory or was shown already.
     */
    synchronized boolean claim(String name) {
        return contexts.localDirectory(name).isPresent() && loaded.add(name);
    }

    /**
     * Shows the whole {@code [context NAME] load from client} vertex with its transfer, once per context; not for
     * a context that replaces a stage, whose stage shows it.
     */
    void showFiles(String name) {
        if (replacing.contains(name) || !claim(name)) {
            return;
        }
        int step = counter.incrementAndGet();
        long start = System.nanoTime();
        listener.onEvent(new BuildEvent.StepStarted(step, "context " + name, 0, 0, "load from client"));
        transferUnder(name, step);
        listener.onEvent(new BuildEvent.StepDone(step, Duration.ofNanos(System.nanoTime() - start)));
    }

    /** The {@code transferring NAME: NB done} status of the files of {@code name} under the vertex {@code step}. */
    void transferUnder(String name, int step) {
        long bytes;
        try {
            CopySources files = contexts.sources(name);
            bytes = new ContextTransfer(files::snapshot, List.of(), stateDir, listener, counter)
                    .transfer(files.snapshot());
        } catch (Exception e) {
            // Only the shown count is lost: the step that reads the context reports why it cannot.
            bytes = 0;
        }
        listener.onEvent(new BuildEvent.Transfer(step, label(name), bytes, 0, true));
    }

    private static String label(String name) {
        return "transferring " + name + ":";
    }
}
