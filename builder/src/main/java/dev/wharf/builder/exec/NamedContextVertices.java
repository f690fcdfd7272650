package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.context.ignore.DockerIgnore;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
    /** The replacing contexts whose stage is built (and shows their files' vertex). */
    private final Set<String> builtAsStage;
    private final Set<String> loaded = new HashSet<>();
    /** The paths the build reads of each context, as BuildKit sends them (its follow paths; "/" for all). */
    private final Map<String, List<String>> followPaths = new HashMap<>();

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
                if (!onlyReadAsContext(plan, stage)) {
                    // A stage made of the context reads all of it.
                    followPaths.computeIfAbsent(c.name(), k -> new ArrayList<>()).add("/");
                }
            }
            for (Step step : stage.steps()) {
                for (StepSource source : step.sources()) {
                    if (source instanceof StepSource.Context c) {
                        others.add(c.name());
                        followPaths.computeIfAbsent(c.name(), k -> new ArrayList<>()).addAll(paths(step, c));
                    }
                }
            }
        }
        others.removeAll(replaced);
        replaced.removeIf(name -> contexts.localDirectory(name).isEmpty());
        others.removeIf(name -> contexts.localDirectory(name).isEmpty());
        this.replacing = List.copyOf(replaced);
        this.read = List.copyOf(others);
        Set<String> built = new HashSet<>();
        for (PlannedStage stage : plan.stages()) {
            if (stage.base() instanceof StageBase.Context c && c.replaced() && !onlyReadAsContext(plan, stage)) {
                built.add(c.name());
            }
        }
        this.builtAsStage = Set.copyOf(built);
    }

    /**
     * Whether {@code stage} is a directory context replacing a stage that the build only reads as that context
     * ({@code COPY --from=NAME}, {@code RUN --mount=from=NAME}, which read the context's files themselves): not the
     * target, no other stage's base, no step's stage source. BuildKit then has no such stage at all, only the
     * context's source; wharf does not build it (its layer would be made for nothing, and a target done first
     * stopped it as CANCELED).
     */
    static boolean onlyReadAsContext(BuildPlan plan, PlannedStage stage) {
        if (!(stage.base() instanceof StageBase.Context c) || !c.replaced() || !stage.steps().isEmpty()
                || stage.index() == plan.target()) {
            return false;
        }
        for (PlannedStage other : plan.stages()) {
            if (other.base() instanceof StageBase.Stage b && b.index() == stage.index()) {
                return false;
            }
            for (Step step : other.steps()) {
                for (StepSource source : step.sources()) {
                    if (source instanceof StepSource.Stage s && s.index() == stage.index()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Shows the ignore-file loads of the contexts that replace a stage ({@code replacing}: before the base images'
     * metadata, as toDispatchState resolves a stage's own name first) or of the others.
     */
    void showIgnoreFiles(boolean replacing) {
        showIgnoreFiles(replacing ? this.replacing : read);
    }

    /**
     * The paths of the context {@code source} names that {@code step} reads, which BuildKit sends alone (buildx
     * 0.13.1: {@code COPY --from=base /d.txt /y} with {@code base=DIR} of 3001 files transfers 34B, d.txt): a
     * copy's sources, a bind mount's source ("/" for the whole context).
     */
    private static List<String> paths(Step step, StepSource.Context source) {
        List<String> out = new ArrayList<>();
        if (step.instruction() instanceof CopyInstruction copy
                && copy.from().map(w -> w.text().equals(source.written())).orElse(false)) {
            copy.files().sourcePaths().forEach(w -> out.add(w.text()));
        }
        for (Mount m : step.mounts()) {
            if (m.from().equals(source.written())) {
                out.add(m.source().isEmpty() ? "/" : m.source());
            }
        }
        return out.isEmpty() ? List.of("/") : out;
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
     * a context whose replaced stage is built, which shows it.
     */
    void showFiles(String name) {
        if (builtAsStage.contains(name) || !claim(name)) {
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
            bytes = new ContextTransfer(files::snapshot, followPaths.getOrDefault(name, List.of("/")), stateDir,
                    listener, counter).transfer(files.snapshot());
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
