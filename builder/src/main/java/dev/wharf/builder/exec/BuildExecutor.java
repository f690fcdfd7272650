package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.CacheKey;
import dev.wharf.cache.CacheKeyInputs;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.StepParent;
import dev.wharf.cache.StepResult;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.OnbuildInstruction;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.WorkdirInstruction;
import dev.wharf.context.source.CopyRequest;
import dev.wharf.context.source.DestinationView;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.RootFs;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layer.LayerWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one {@link BuildPlan}: its stages through a {@link StageScheduler} (independent stages at the same time),
 * each step looked up in the build cache by its key and executed on a miss, every step reported to the listener.
 *
 * <p>One instance per build; {@link #run} is called once. Stages may run concurrently, so the shared state is in
 * concurrent collections.
 */
final class BuildExecutor {
    /**
     * The image state after a step: its layers, its config (with rootfs and history), the key of that step, how
     * many of the first layers are a base image's, taken as they are (the layers are the steps' own, with the times
     * the files had, the cache keeps them so: with SOURCE_DATE_EPOCH, {@link EpochLayers} clamps those after the
     * base's when the image is exported, as BuildKit's rewrite-timestamp does), whether a step of its chain ran with
     * the cache off ({@code --no-cache-filter}: BuildKit then has no cache keys for the steps chained on it, the
     * same stage and stages {@code FROM} it, which run afresh too, while a step reading its files by content,
     * {@code COPY --from}, is still looked up; buildx 0.13 on the peer), and a note per layer ({@link LayerNotes}).
     */
    record State(List<LayerBlob> layers, ImageConfiguration image, StepParent parent, int inherited,
                 boolean uncachedChain, List<String> notes) {
        State {
            layers = List.copyOf(layers);
            notes = List.copyOf(notes);
            if (inherited < 0 || inherited > layers.size()) {
                throw new IllegalArgumentException("inherited " + inherited + " of " + layers.size() + " layers");
            }
            if (notes.size() != layers.size()) {
                throw new IllegalArgumentException(notes.size() + " notes for " + layers.size() + " layers");
            }
        }

        State(List<LayerBlob> layers, ImageConfiguration image, StepParent parent, int inherited) {
            this(layers, image, parent, inherited, false, java.util.Collections.nCopies(layers.size(), ""));
        }

        /** The state after a step of this one: the same base layers, chain and notes (none for new layers). */
        State next(List<LayerBlob> layers, ImageConfiguration image, StepParent parent) {
            return new State(layers, image, parent, inherited, uncachedChain, padded(notes, layers.size(), ""));
        }

        /** This state, as the result of a step that ran with the cache off or chained on one. */
        State uncached(boolean uncached) {
            return uncached == uncachedChain ? this : new State(layers, image, parent, inherited, uncached, notes);
        }

        /**
         * This state with the notes of {@code before}'s layers kept and {@code note} for the layers added since:
         * what BuildKit's exporter names a layer by when the history lacks an entry for it ({@link HistoryGaps}).
         */
        State noted(State before, String note) {
            return new State(layers, image, parent, inherited, uncachedChain,
                    padded(before.notes, layers.size(), note));
        }

        private static List<String> padded(List<String> notes, int size, String note) {
            List<String> all = new ArrayList<>(notes.subList(0, Math.min(notes.size(), size)));
            while (all.size() < size) {
                all.add(note);
            }
            return all;
        }
    }

    private final Workspace workspace;
    private final BuildPlan plan;
    private final BuildSettings settings;
    private final ProgressListener listener;
    private final LayerSnapshots snapshots;
    private final LayerDiffer differ;
    private final LayerWriter writer;
    private final StepRunner runner;
    private final CopyRunner copyRunner;
    private final AtomicInteger counter;
    /**
     * The context's {@code load build context} vertex, shown before the build's first RUN, COPY or ADD when any step
     * reads the context: BuildKit starts the local source with the solve, as a source without inputs, so the peer
     * numbers it right after the FROM and the inline documents even when RUN steps come before the first COPY
     * (FROM; RUN sleep 1; RUN echo; COPY a /a shows #4 FROM, #5 load build context, #6 RUN sleep 1), but after a
     * leading WORKDIR, whose mkdir starts sooner than the transfer (FROM; WORKDIR /app; RUN; WORKDIR; COPY shows
     * #5 WORKDIR /app, #6 load build context, #7 RUN on every uncached run).
     */
    private final Optional<ContextTransfer> contextTransfer;
    /** BuildKit's {@code preparing inline document} vertices, shown before the first step. */
    private final InlineDocuments inlineDocuments;
    private final List<BuildResult.StepTiming> timings = Collections.synchronizedList(new ArrayList<>());
    private final Map<Integer, State> stages = new ConcurrentHashMap<>();
    /** Per stage, the cache record of each filesystem step (hit or saved), for {@code --cache-to}. */
    private final Map<Integer, List<CacheRecord>> records = new ConcurrentHashMap<>();
    /** The filesystem steps of this build by key, so that equal steps of several stages run once. */
    private final StepFlights flights = new StepFlights();
    /** The steps with the cache off, their own setting or an equal step's in another stage. */
    private final NoCacheSpread noCache;
    /**
     * The source vertices shown, by image and platform: stages starting from the same image, and the images
     * {@code --from} reads, show one each.
     */
    private final Set<String> fromVertices = ConcurrentHashMap.newKeySet();
    /** Which state names each shared source vertex, as BuildKit's marshalling decides. */
    private final SourceVertexNames vertexNames;
    /** Set by {@link #run} before any stage runs; steps wait through it for the stages they read. */
    private StageScheduler scheduler;

    /** @param counter the build's step numbers (base image resolution took the first ones) */
    /** The vertices of named contexts' directories: their files' load, shown once. */
    private final NamedContextVertices contextVertices;

    BuildExecutor(Workspace workspace, BuildPlan plan, BuildSettings settings, StepRunner runner,
                  AtomicInteger counter, Optional<ContextTransfer> contextTransfer,
                  NamedContextVertices contextVertices) {
        this.counter = counter;
        this.contextVertices = contextVertices;
        this.contextTransfer = ContextTransfer.paths(plan).isEmpty() ? Optional.empty() : contextTransfer;
        this.inlineDocuments = InlineDocuments.of(plan, settings.listener(), counter);
        this.workspace = workspace;
        this.plan = plan;
        this.settings = settings;
        this.listener = settings.listener();
        this.snapshots = new LayerSnapshots(workspace.snapshotter(), workspace.store().blobs(), workspace.posix());
        this.differ = new LayerDiffer(workspace.snapshotter(), workspace.posix());
        // Unclamped whatever SOURCE_DATE_EPOCH is: the cache keeps a step's layer without the epoch, so a build
        // with another epoch hits it (EpochLayers clamps the image's layers on export).
        this.writer = workspace.layerWriter(java.util.OptionalLong.empty());
        this.runner = runner;
        this.copyRunner = new CopyRunner(workspace, settings, runner);
        this.noCache = new NoCacheSpread(plan, step -> settings.source().text(step), BuildExecutor::isFilesystem);
        this.vertexNames = SourceVertexNames.of(plan, this::progressName, this::numbering, this::readImageName);
    }

    /** The vertex text of an image a step reads: the reference as written, normalized, with its resolved digest. */
    private String readImageName(StepSource.Image read) {
        return StageProgress.imageName(read.written(), settings.images().resolvedDigest(read.image().reference()));
    }

    private StageProgress numbering(PlannedStage stage) {
        return new StageProgress(stage, stage.base() instanceof StageBase.Image img
                ? settings.images().resolvedDigest(img.image().reference()) : Optional.empty());
    }

    /** The state of every built stage by index, after running all of them. */
    Map<Integer, State> stageStates() {
        return stages;
    }

    /** The cache record of every filesystem step, by stage index, in step order. */
    Map<Integer, List<CacheRecord>> records() {
        return records;
    }

    List<BuildResult.StepTiming> timings() {
        synchronized (timings) {
            // A plain lambda, not Comparator.comparingInt: that one is serializable, which the class-data archive
            // cannot hold, so every fresh CLI spun its class (and loaded ASM's class reader) at the end of a build.
            return timings.stream().sorted((a, b) -> Integer.compare(a.step(), b.step())).toList();
        }
    }

    /** Builds every planned stage, independent ones at the same time; returns the target stage's final state. */
    State run() throws BuildFailedException, InterruptedException {
        scheduler = new StageScheduler(plan, settings.parallelism());
        return scheduler.run(stage -> {
            // A replaced stage only read as its context: its files are read by the steps that name it.
            State state = NamedContextVertices.onlyReadAsContext(plan, stage) ? emptyState() : runStage(stage);
            stages.put(stage.index(), state);
            return state;
        });
    }

    /**
     * Builds one stage. Its progress shows BuildKit's vertices only (dockerfile2llb/convert.go, prefixCommand): the
     * FROM of an image or named context, and the filesystem steps; metadata instructions (ENV, LABEL, CMD...) and a
     * FROM of a stage or scratch only change the config and show nothing. The count is BuildKit's cmdTotal.
     */
    private State runStage(PlannedStage stage) throws BuildFailedException, InterruptedException {
        StageProgress progress = numbering(stage);
        State state = sharedBase(stage, progress).orElse(null);
        if (state != null) {
            // Started from a base another stage shows.
        } else if (progress.hasFromVertex()) {
            int number = counter.incrementAndGet();
            String fromText = "FROM " + progress.fromName();
            Optional<String[]> contextVertex = progress.contextVertex(settings.namedContexts()::filesVertex);
            if (contextVertex.isPresent()) {
                listener.onEvent(new BuildEvent.StepStarted(number, contextVertex.get()[0], 0, 0,
                        contextVertex.get()[1]));
            } else {
                int index = progress.next();
                SourceVertexNames.Name name = vertexNames.name(progress.vertexKey())
                        .orElse(new SourceVertexNames.Name(progressName(stage), index, progress.total()));
                listener.onEvent(new BuildEvent.StepStarted(number, name.stage(), name.index(), name.total(),
                        fromText));
            }
            long start = System.nanoTime();
            boolean stored;
            try {
                stored = stage.base() instanceof StageBase.Image img && !img.image().scratch()
                        && !settings.images().ensureLayers(img.image().reference(), number);
                state = initial(stage, number);
                if (contextVertex.isPresent() && stage.base() instanceof StageBase.Context files
                        && contextVertices.claim(files.name())) {
                    // buildx 0.13.1: "#5 [context final] load from client / #5 transferring final: 34B done".
                    contextVertices.transferUnder(files.name(), number);
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (Cancellation.causedBy(e)) {
                    // Stopped, not failed: a stage still loading its context when the target was done (a stage a
                    // context replaces, whose files COPY --from reads directly) or when the build was cancelled.
                    listener.onEvent(new BuildEvent.StepFailed(number, BuildEvent.StepFailed.CANCELLED,
                            elapsed(start)));
                    throw Cancellation.of(e);
                }
                throw fail(number, fromText, stage.range().start().line(), null, e.getMessage(), e, start, true);
            }
            // Nothing runs at FROM (layers are unpacked when a step needs them): it counts as a cache hit, and an
            // image already in the store shows CACHED, as BuildKit shows the source of an image whose layers it
            // has (#5 [1/2] FROM docker.io/library/busybox:latest / #5 CACHED); a pulled one shows its downloads,
            // a named context its files.
            if (stored) {
                listener.onEvent(new BuildEvent.StepCached(number));
            }
            done(number, stage, fromText, true, start);
        } else {
            try {
                state = initial(stage, 0);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                int number = counter.incrementAndGet();
                String fromText = "FROM " + stage.baseName();
                listener.onEvent(new BuildEvent.StepStarted(number, progressName(stage), 0, progress.total(),
                        fromText));
                throw fail(number, fromText, stage.range().start().line(), null, e.getMessage(), e,
                        System.nanoTime(), true);
            }
        }
        showReadImages(stage);
        for (int i = 0; i < stage.steps().size(); i++) {
            state = runStep(stage, i, progress, state);
        }
        return state;
    }

    /**
     * The source vertices of the images the stage's steps read ({@code COPY --from=IMAGE}, {@code RUN --mount
     * from=IMAGE}) that no stage has shown: BuildKit solves them as their own vertices, named as
     * {@link SourceVertexNames} says ({@code FROM docker.io/library/busybox:latest}), when the build starts. Their
     * layers are fetched by the first step that needs the files ({@link StepRunner#sources}); a failure is the
     * step's, which reports it.
     */
    private void showReadImages(PlannedStage stage) {
        for (Step step : stage.steps()) {
            for (StepSource source : step.sources()) {
                if (source instanceof StepSource.Context files) {
                    // A directory a copy or mount reads: "#7 [context dctx] load from client" (buildx 0.13.1).
                    contextVertices.showFiles(files.name());
                    continue;
                }
                if (!(source instanceof StepSource.Image read) || read.image().scratch()) {
                    continue;
                }
                String text = readImageName(read);
                String key = SourceVertexNames.key(text, read.image().platform());
                if (!fromVertices.add(key)) {
                    continue;
                }
                int number = counter.incrementAndGet();
                SourceVertexNames.Name name = vertexNames.name(key).orElse(new SourceVertexNames.Name("", 0, 0));
                Optional<String[]> context = settings.namedContexts().imageVertex(read.written());
                // A docker-image:// context's vertex is named by the context (namedcontext.go), not as a FROM.
                listener.onEvent(context.isPresent()
                        ? new BuildEvent.StepStarted(number, context.get()[0], 0, 0, context.get()[1])
                        : new BuildEvent.StepStarted(number, name.stage(), name.index(), name.total(),
                                "FROM " + text));
                long start = System.nanoTime();
                // Lazy, as BuildKit's image refs: the layers are fetched when a step first needs the files (a
                // copy that misses the cache), not here, so a build whose steps all hit the cache downloads none;
                // that pull reports under this vertex.
                String reference = read.image().reference();
                if (settings.images().layersStored(reference)) {
                    listener.onEvent(new BuildEvent.StepCached(number));
                } else {
                    settings.images().reportPullUnder(reference, number);
                }
                listener.onEvent(new BuildEvent.StepDone(number, elapsed(start)));
            }
        }
    }

    /**
     * A base several stages start from is one source vertex in BuildKit, shown once (by the first stage to get
     * here): the state of the others, which show no vertex of their own, unless loading it fails for them (then
     * their FROM shows with the error as before).
     */
    private Optional<State> sharedBase(PlannedStage stage, StageProgress progress) throws InterruptedException {
        if (!progress.hasFromVertex() || fromVertices.add(progress.vertexKey())) {
            return Optional.empty();
        }
        try {
            // The first stage pulls the layers (ensureLayers waits for it); number 0 reports no transfers twice.
            State state = initial(stage, 0);
            if (progress.contextVertex(settings.namedContexts()::filesVertex).isEmpty()) {
                progress.next();
            }
            return Optional.of(state);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** The stage's name in progress: none in a one-stage Dockerfile, as BuildKit (convert.go) shows it. */
    private String progressName(PlannedStage stage) {
        return plan.stageCount() == 1 ? "" : stage.displayName();
    }

    private State initial(PlannedStage stage, int number) throws Exception {
        if (stage.base() instanceof StageBase.Stage s) {
            return stages.get(s.index());
        }
        if (stage.base() instanceof StageBase.Context context) {
            return contextState(stage, context);
        }
        if (stage.base() instanceof StageBase.Image img && !img.image().scratch()) {
            settings.images().ensureLayers(img.image().reference(), number);
            LocalImages.Resolved resolved = new LocalImages(workspace.store())
                    .find(img.image().reference(), stage.platform())
                    .orElseThrow(() -> new LayerException("image " + img.image().reference() + " vanished"));
            // Keyed by its layers' chain ID, as BuildKit keys an image source (cacheKeyFromConfig): the same image
            // pulled on one machine and built or imported on another (its layers stored compressed on one side,
            // uncompressed on the other, so with another manifest digest) gives the same step keys.
            List<Digest> chain = ChainIds.of(resolved.layers().stream().map(LayerBlob::diffId).toList());
            return new State(resolved.layers(), resolved.config().withoutUnknownFields(),
                    chain.isEmpty() ? StepParent.image(resolved.manifestDigest())
                            : StepParent.image(chain.get(chain.size() - 1)), resolved.layers().size());
        }
        Platform platform = Platform.of(stage.platform().os(), stage.platform().architecture());
        ImageConfiguration empty = ImageConfiguration.of(platform, ExecutionConfig.empty(), RootFs.layers(List.of()),
                List.of());
        return new State(List.of(), empty, StepParent.scratch(), 0);
    }

    /** A state with no layers and no platform, of a stage that is never built. */
    private static State emptyState() {
        return new State(List.of(), ImageConfiguration.of(Platform.of("", ""), ExecutionConfig.empty(),
                RootFs.layers(List.of()), List.of()), StepParent.scratch(), 0);
    }

    /**
     * The state a stage built FROM a named context's files starts with: one layer holding the context (after its
     * ignore file, owners 0 as for the main context), written like a {@code COPY . /} into an empty snapshot, and
     * no config. Its parent key is the context's content checksum, so later steps hit the cache while the context
     * is unchanged.
     */
    private State contextState(PlannedStage stage, StageBase.Context context) throws Exception {
        String name = context.name();
        CopySources sources = settings.namedContexts().sources(name);
        CopyRequest all = new CopyRequest(List.of("."), "/", List.of(), false);
        String checksum = sources.resolve(all, DestinationView.empty()).checksum().toString();
        Snapshotter snapshotter = workspace.snapshotter();
        String key = "context-" + UUID.randomUUID();
        List<Mount> mounts = snapshotter.prepare(key, snapshots.ensure(List.of()));
        boolean committed = false;
        List<LayerBlob> layers = new ArrayList<>();
        try {
            copyRunner.copy(false, new CopyRunner.PreparedCopy(List.of(new CopyRunner.Part(Optional.of(sources),
                    Optional.empty(), all, false)), List.of(), "/", Optional.empty(), Optional.empty()), mounts);
            // The context's layer is part of loading it, not a step of its own: no progress of its writing.
            LayerBlob layer = differ.diff(key, mounts, writer, ProgressListener.none(), 0);
            layers.add(layer);
            String snapshot = ChainIds.snapshotName(ChainIds.of(List.of(layer.diffId())).get(0));
            committed = LayerSnapshots.commitUnlessPresent(snapshotter, snapshot, key);
        } finally {
            if (!committed) {
                snapshotter.remove(key);
            }
        }
        // A context replacing the whole stage keeps dockerfile2llb's zero image: buildx 0.13.1 on the peer writes
        // "architecture":"" and "os":"" into the config of an image whose final stage a directory replaces, where
        // FROM ctx starts from emptyImage's platform.
        Platform platform = context.replaced() ? Platform.of("", "")
                : Platform.of(stage.platform().os(), stage.platform().architecture());
        ImageConfiguration image = ImageConfiguration.of(platform, ExecutionConfig.empty(),
                RootFs.layers(layers.stream().map(LayerBlob::diffId).toList()), List.of());
        // The context's layer is written by the build, so clamped on export like a step's. Its note is the local
        // source's ref description, which the exporter names it by when no history entry describes it (buildx
        // 0.13.1: "created_by": "local source for final").
        return new State(layers, image, StepParent.image(Digest.parse(checksum)), 0, false,
                List.of(settings.namedContexts().layerNote(name)));
    }

    private State runStep(PlannedStage stage, int index, StageProgress progress, State state)
            throws BuildFailedException, InterruptedException {
        Step step = stage.steps().get(index);
        // A trigger's line is the FROM that runs it, where it fails; its text is its own.
        String text = settings.source().text(step);
        int line = step.range().start().line();
        if (Thread.interrupted()) {
            throw new InterruptedException("build cancelled");
        }
        if (!isFilesystem(step)) {
            // Metadata steps are not cached on their own and show no progress, as in BuildKit where they are no
            // build graph vertices: they only change the config, which is recomputed from the plan on every
            // build, and leave the cache key chain alone, so a changed LABEL or ARG does not rerun later steps
            // that do not see it.
            return state.next(state.layers(), nextImage(state.image(), step, text, Optional.empty(),
                    metadataCreated()), state.parent());
        }
        for (StepSource source : step.sources()) {
            if (source instanceof StepSource.Stage from) {
                // BuildKit's graph is one of steps: the stage ran up to here while the one it reads still built.
                scheduler.awaitStage(from.index());
            }
        }
        inlineDocuments.show();
        if (contextTransfer.isPresent() && !(step.instruction() instanceof WorkdirInstruction)) {
            contextTransfer.get().show();
        }
        long start = System.nanoTime();
        Map<String, Digest> checksums = new TreeMap<>();
        Optional<CopyRunner.PreparedCopy> copy = Optional.empty();
        CacheKeyInputs inputs;
        try {
            if (step.instruction() instanceof CopyInstruction || step.instruction() instanceof AddInstruction) {
                copy = Optional.of(copyRunner.prepareCopy(step, stages, checksums));
            }
            if (!step.mounts().isEmpty()) {
                runner.mountChecksums(step, stages, checksums);
            }
            Platform platform = Platform.of(stage.platform().os(), stage.platform().architecture());
            inputs = StepKeys.inputs(settings.source().name(), stage.displayName(), index, step, text,
                    state.parent(), platform, checksums, settings.runKeyExtras());
        } catch (Exception e) {
            // No key, so nothing to share: the step shows as a vertex of its own with the error.
            int number = started(stage, progress, step, text).step();
            throw thrown(stepError(e, number, text, line, start));
        }
        StepParent next = StepParent.step(inputs.key());
        boolean ignoreCache = noCache.ignoresCache(stage, index) || state.uncachedChain();
        // Equal steps of several stages are one vertex in BuildKit: only the first stage to get here runs it and
        // shows it; the others take its record (or its failure) and show nothing, as BuildKit shows one vertex.
        StepFlights.Claim claim = flights.claim(inputs.key(), ignoreCache);
        if (!claim.owner()) {
            progress.next();
            keep(stage, claim.reused().record());
            return fromRecord(state, step, text, claim.reused().record(), next).uncached(ignoreCache)
                    .noted(state, "");
        }
        BuildEvent.StepStarted vertex = started(stage, progress, step, text);
        int number = vertex.step();
        String note = LayerNotes.of(step, vertex);
        try {
            if (!ignoreCache) {
                Optional<CacheRecord> hit = cacheHit(inputs.key());
                if (hit.isPresent()) {
                    State cached = fromRecord(state, step, text, hit.get(), next).noted(state, note);
                    keep(stage, hit.get());
                    listener.onEvent(new BuildEvent.StepCached(number));
                    done(number, stage, text, true, start);
                    claim.complete(hit.get(), false);
                    return cached;
                }
            }
            if (settings.explainCache()) {
                List<String> reasons = step.ignoreCache() ? List.of("the cache is off for this step (--no-cache)")
                        : state.uncachedChain() ? List.of("a step this one builds on ran with the cache off "
                                + "(--no-cache-filter), so it has no cache key")
                        : ignoreCache ? List.of("the cache is off for an equal step of another stage "
                                + "(--no-cache-filter), which runs as one with this step")
                        : MissReasons.of(workspace.cache().explainMiss(inputs), step);
                listener.onEvent(new BuildEvent.StepCacheMiss(number, reasons));
            }
            State result = execute(step, state, copy, number, text, start, next);
            List<LayerBlob> added = result.layers().subList(state.layers().size(), result.layers().size());
            CacheRecord saved = workspace.cache().save(inputs, StepResult.of(added, json(result.image())));
            keep(stage, saved);
            done(number, stage, text, false, start);
            claim.complete(saved, true);
            // Dated like a later cache hit of the same record, so a cached rebuild gives the same image.
            return fromRecord(state, step, text, saved, next).uncached(ignoreCache).noted(state, note);
        } catch (Exception e) {
            Exception error = stepError(e, number, text, line, start);
            claim.fail(error);
            throw thrown(error);
        } finally {
            claim.abandon();
        }
    }

    /** Throws {@link #stepError}'s error as what it is; returns nothing, typed for a {@code throw} at the call. */
    private static BuildFailedException thrown(Exception error) throws InterruptedException {
        if (error instanceof InterruptedException interrupted) {
            throw interrupted;
        }
        return (BuildFailedException) error;
    }

    /** Shows a step's vertex: its number, its stage and its place in it. */
    private BuildEvent.StepStarted started(PlannedStage stage, StageProgress progress, Step step, String text) {
        BuildEvent.StepStarted vertex = new BuildEvent.StepStarted(counter.incrementAndGet(), progressName(stage),
                progress.next(), progress.total(), StepNames.of(step, text, settings.source().escape()));
        listener.onEvent(vertex);
        return vertex;
    }

    /**
     * The error a step's vertex ends with, reported to the listener: an {@link InterruptedException} for a cancel
     * (BuildKit shows the vertex as CANCELED), else a {@link BuildFailedException} with the step's reason.
     */
    private Exception stepError(Exception e, int number, String text, int line, long start) {
        if (e instanceof InterruptedException) {
            listener.onEvent(new BuildEvent.StepFailed(number, BuildEvent.StepFailed.CANCELLED, elapsed(start)));
            return e;
        }
        if (Cancellation.causedBy(e)) {
            // A cancel that reached the step as another error ("interrupted while waiting for the store lock",
            // a channel closed by the interrupt): BuildKit shows the vertex as CANCELED, not as its error.
            listener.onEvent(new BuildEvent.StepFailed(number, BuildEvent.StepFailed.CANCELLED, elapsed(start)));
            return Cancellation.of(e);
        }
        if (e instanceof StepFailure failure) {
            return fail(number, text, line, failure.exitCode(), e.getMessage(), e.getCause(), start,
                    failure.located());
        }
        return fail(number, text, line, null, e.getMessage(), e, start, true);
    }

    private static boolean isFilesystem(Step step) {
        // WORKDIR / is no file operation in BuildKit (dispatchWorkdir: withLayer only when wd != "/").
        return step.instruction() instanceof RunInstruction || step.instruction() instanceof CopyInstruction
                || step.instruction() instanceof AddInstruction || (step.instruction() instanceof WorkdirInstruction
                && !step.config().workingDir().equals("/") && !step.config().workingDir().isEmpty());
    }

    /**
     * When a metadata step happened: with SOURCE_DATE_EPOCH that; otherwise no time yet, as in BuildKit's
     * dockerfile2llb (commitToHistory with a nil epoch): {@link HistoryTimes} dates it when the image is written.
     */
    private OffsetDateTime metadataCreated() {
        return settings.sourceDateEpoch().isPresent() ? settings.created() : null;
    }

    /** Runs a step that missed the cache. */
    private State execute(Step step, State state, Optional<CopyRunner.PreparedCopy> copy,
                          int number, String text, long start, StepParent next)
            throws Exception {
        Snapshotter snapshotter = workspace.snapshotter();
        settings.imports().ensure(state.layers());
        String parent = snapshots.ensure(state.layers());
        String key = "step-" + UUID.randomUUID();
        List<Mount> mounts = snapshotter.prepare(key, parent);
        boolean committed = false;
        try {
            if (step.instruction() instanceof RunInstruction run) {
                runner.run(step, run, mounts, number, start, plan.proxyEnv(), stages);
            } else if (copy.isPresent()) {
                copyRunner.copy(step.instruction() instanceof AddInstruction, copy.get(), mounts);
            } else {
                runner.workdir(step, mounts);
            }
            LayerBlob layer = differ.diff(key, mounts, writer, listener, number);
            List<LayerBlob> layers = new ArrayList<>(state.layers());
            layers.add(layer);
            List<Digest> chain = ChainIds.of(layers.stream().map(LayerBlob::diffId).toList());
            String name = ChainIds.snapshotName(chain.get(chain.size() - 1));
            committed = LayerSnapshots.commitUnlessPresent(snapshotter, name, key);
            return state.next(layers, nextImage(state.image(), step, text, Optional.of(layer), settings.created()),
                    next);
        } finally {
            if (!committed) {
                snapshotter.remove(key);
            }
        }
    }

    private ImageConfiguration nextImage(ImageConfiguration image, Step step, String text, Optional<LayerBlob> layer,
                                         OffsetDateTime created) {
        List<Digest> diffIds = new ArrayList<>(image.rootfs().diffIds());
        layer.ifPresent(l -> diffIds.add(l.diffId()));
        List<HistoryEntry> history = new ArrayList<>(image.history());
        if (!(step.instruction() instanceof OnbuildInstruction)) {
            // BuildKit's dispatchOnbuild only appends the trigger to the config: ONBUILD has no history entry.
            history.add(new HistoryEntry(created, HistoryText.of(step, text), null, "buildkit.dockerfile.v0",
                    layer.isEmpty()));
        }
        String author = step.config().author().isEmpty() ? image.author() : step.config().author();
        return new ImageConfiguration(image.created(), author, image.architecture(), image.os(), image.osVersion(),
                image.osFeatures(), image.variant(), ConfigMapper.toImage(step.config()), RootFs.layers(diffIds),
                history, image.unknownFields());
    }

    /**
     * The state after a cache hit: the record's layers, the config recomputed from the plan, and a history entry
     * dated when the layer was first built (or SOURCE_DATE_EPOCH), as BuildKit dates cached layers.
     */
    private State fromRecord(State state, Step step, String text, CacheRecord record, StepParent next) {
        List<LayerBlob> layers = new ArrayList<>(state.layers());
        layers.addAll(record.result().layers());
        OffsetDateTime created = settings.sourceDateEpoch().isPresent() ? settings.created()
                : OffsetDateTime.ofInstant(record.created(), ZoneOffset.UTC);
        Optional<LayerBlob> layer = record.result().layers().isEmpty() ? Optional.empty()
                : Optional.of(record.result().layers().get(record.result().layers().size() - 1));
        return state.next(layers, nextImage(state.image(), step, text, layer, created), next);
    }

    /**
     * A usable record of the key: the local cache's, else one imported with {@code --cache-from}, whose layers are
     * fetched only when something needs them.
     */
    private Optional<CacheRecord> cacheHit(CacheKey key) throws CacheException, LayerException {
        Optional<CacheRecord> local = workspace.cache().lookup(key);
        if (local.isPresent() && (claimed(local.get()) || blobsPresent(local.get()))) {
            return local;
        }
        return settings.imports().hit(key);
    }

    /**
     * Whether the record's layers are all in the local store, claimed for this build: a concurrent {@code wharf
     * prune --all} may delete the record and then collect its layers, which are older than this build, before the
     * image is tagged; claimed ones count as this build's own until then (see {@code LocalStore.claim}).
     */
    private boolean claimed(CacheRecord record) throws LayerException {
        List<Digest> digests = new ArrayList<>();
        for (LayerBlob layer : record.result().layers()) {
            digests.add(layer.descriptor().digest());
        }
        return workspace.store().claim(digests);
    }

    /** Whether the record's layers are in the local store or can be fetched from an imported cache. */
    private boolean blobsPresent(CacheRecord record) throws LayerException {
        return settings.imports().available(record.result().layers());
    }

    private void keep(PlannedStage stage, CacheRecord record) {
        records.computeIfAbsent(stage.index(), i -> Collections.synchronizedList(new ArrayList<>())).add(record);
    }

    private String json(ImageConfiguration image) {
        return new String(workspace.store().json().write(image), StandardCharsets.UTF_8);
    }

    private void done(int number, PlannedStage stage, String text, boolean cached, long start) {
        Duration took = elapsed(start);
        listener.onEvent(new BuildEvent.StepDone(number, took));
        timings.add(new BuildResult.StepTiming(number, stage.displayName(), text, cached, took));
    }

    private BuildFailedException fail(int number, String text, int line, Integer exitCode, String reason,
                                      Throwable cause, long start, boolean located) {
        String why = reason == null ? String.valueOf(cause) : reason;
        BuildFailedException e = new BuildFailedException(text, settings.source().name(), line, exitCode, why, cause,
                located);
        // The step's own error line says what BuildKit's vertex error says (#4 ERROR: process "/bin/sh -c make"
        // did not complete successfully: exit code: 2); the step and its line are already on screen.
        listener.onEvent(new BuildEvent.StepFailed(number, vertexError(why), elapsed(start)));
        return e;
    }

    private static final String CACHE_KEY_FAILURE = "failed to compute cache key: ";

    /**
     * A step's error as its vertex shows it: BuildKit's solver wraps a cache-key failure in "failed to compute cache
     * key: " only after the vertex recorded it (edge.go's computeCacheKeyFromDep around sharedOp.CalcSlowCache, which
     * completes the vertex with the inner error), so COPY of a missing target/app.jar shows {@code #6 ERROR: failed
     * to calculate checksum of ref ...: "/target/app.jar": not found} and the build's error has the prefix.
     */
    static String vertexError(String reason) {
        return reason.startsWith(CACHE_KEY_FAILURE) ? reason.substring(CACHE_KEY_FAILURE.length()) : reason;
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** A step that failed for a reason the user can act on, with the command's exit code when a command failed. */
    static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final Integer exitCode;
        private final boolean located;

        StepFailure(String message, Integer exitCode, Throwable cause) {
            this(message, exitCode, cause, true);
        }

        private StepFailure(String message, Integer exitCode, Throwable cause, boolean located) {
            super(message, cause);
            this.exitCode = exitCode;
            this.located = located;
        }

        /**
         * A failure BuildKit reports without the step's Dockerfile location, so buildx prints no source lines: a
         * remote source's cache key fails in the source op, which the Dockerfile frontend gives no location.
         */
        static StepFailure unlocated(String message, Throwable cause) {
            return new StepFailure(message, null, cause, false);
        }

        boolean located() {
            return located;
        }

        Integer exitCode() {
            return exitCode;
        }
    }
}
