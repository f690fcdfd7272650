package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildContext;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.CheckReport;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildOutline;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ExtraHost;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.CheckResult;
import dev.wharf.builder.plan.NamedContextRef;
import dev.wharf.builder.plan.PlanRequest;
import dev.wharf.builder.plan.PlanWarning;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.lint.CheckWarning;
import dev.wharf.builder.plan.Planner;
import dev.wharf.builder.plan.Platform;
import dev.wharf.builder.sandbox.EtcFiles;
import dev.wharf.builder.sandbox.SandboxSpec;
import dev.wharf.cache.CacheException;
import dev.wharf.cache.remote.RemoteCache;
import dev.wharf.context.ContextException;
import dev.wharf.context.checksum.ChecksumCache;
import dev.wharf.context.ignore.DockerIgnore;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.Dockerfile;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.SecurityMode;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.store.ImageName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One build from request to tagged image: reads and parses the Dockerfile, plans it against the local store's
 * images, runs the plan, writes the config and OCI manifest and tags them. Not thread-safe: one per build.
 */
final class BuildJob {
    private final Workspace workspace;
    private final EngineOptions options;
    private final BuildRequest request;
    private final Registries registries;
    private final ParsedDockerfiles parsed;
    private final AtomicInteger steps = new AtomicInteger();
    private RegistryImages images;
    /**
     * Set by {@link #check()} and {@link #outline()}: planning stops after the checks, whose report is kept in
     * {@link #checkReport}, or after resolving the target's stages, whose outline is kept in {@link #outline}.
     */
    private boolean checkOnly;
    /** Set by {@link #outline()}. */
    private boolean outlineOnly;
    private BuildOutline outline;
    private CheckReport checkReport;
    /** The context's .dockerignore patterns, for the CopyIgnoredFile check. */
    private List<String> ignorePatterns = List.of();
    /** Whether the definition's end shows the unpacking of a downloaded archive context. */
    private boolean unpackVertex;

    BuildJob(Workspace workspace, EngineOptions options, BuildRequest request, Registries registries,
             ParsedDockerfiles parsed) {
        this.workspace = workspace;
        this.options = options;
        this.request = request;
        this.registries = registries;
        this.parsed = parsed;
    }

    /**
     * Plans the build to run its checks and builds nothing: the findings go into the report
     * (the build's own sequence up to planning, see {@link #run(MainContext, NamedContexts, Path, Map)}).
     */
    CheckReport check() throws EngineException, InterruptedException {
        checkOnly = true;
        run();
        return checkReport;
    }

    /**
     * Plans no further than resolving the base images the target needs, and returns what the target takes
     * (BuildKit's outline subrequest); builds nothing.
     */
    BuildOutline outline() throws EngineException, InterruptedException {
        checkOnly = true;
        outlineOnly = true;
        run();
        return outline;
    }

    /** As BuildKit's DockerIgnorePatterns: a local directory's .dockerignore; unreadable ones fail at COPY. */
    private static List<String> ignorePatterns(MainContext main) {
        if (!main.local()) {
            return List.of();
        }
        try {
            return DockerIgnore.patterns(main.root(), main.dockerfile());
        } catch (ContextException e) {
            return List.of();
        }
    }

    /**
     * Fails the build before any step runs when a RUN needs an entitlement the build does not grant, as BuildKit
     * refuses to load such an LLB (solver/llbsolver/vertex.go, ValidateEntitlements; util/entitlements):
     * {@code RUN --network=host} needs the build's {@code --network host} (what docker build grants
     * network.host for), and {@code RUN --security=insecure} needs security.insecure, which docker build never
     * grants.
     */
    private void checkEntitlements(BuildPlan plan, String name, String text) throws BuildFailedException {
        for (PlannedStage stage : plan.stages()) {
            for (Step step : stage.steps()) {
                if (!(step.instruction() instanceof RunInstruction run)) {
                    continue;
                }
                String denied = run.network() == dev.wharf.grammar.instructions.NetworkMode.HOST
                        && !request.network().equals("host") ? "network.host"
                        : run.security() == SecurityMode.INSECURE ? "security.insecure" : null;
                if (denied != null) {
                    throw new BuildFailedException(DockerfileText.of(name, text).text(step), name,
                            step.range().start().line(), null, "failed to load LLB: " + denied + " is not allowed",
                            null, false); // BuildKit refuses the whole LLB: its error has no source location
                }
            }
        }
    }

    private CheckReport check(String name, Dockerfile dockerfile, PlanRequest planRequest) {
        CheckResult result = new Planner(images).withDockerIgnore(ignorePatterns).check(dockerfile, planRequest);
        List<BuildEvent.Check> found = new ArrayList<>();
        for (CheckWarning warning : result.warnings()) {
            // As BuildKit's lint subrequest: findings are the result, not progress warnings.
            found.add(PlanWarnings.event(name, warning).check().orElseThrow());
        }
        Optional<DockerfileException> error = result.error();
        return new CheckReport(name, found, error.map(DockerfileException::reason),
                error.flatMap(DockerfileException::range).map(r -> r.start().line()).orElse(0),
                error.flatMap(DockerfileException::range).map(r -> r.end().line()).orElse(0));
    }

    BuildResult run() throws EngineException, InterruptedException {
        Path scratch;
        try {
            scratch = Files.createTempDirectory(workspace.store().root().resolve("state"), "build-");
        } catch (IOException e) {
            throw new EngineException("cannot create a build directory under " + workspace.store().root()
                    + "/state: " + e.getMessage(), e);
        }
        // The build's own ssh-agents (for --ssh ID=KEYFILE) die in close(), also when the build fails or is
        // cancelled; with them the scratch directory that holds their sockets.
        try (SshAgents agents = SshAgents.start(request.ssh(), scratch);
             MainContext main = MainContext.open(request, scratch.resolve("context"), workspace.posix(),
                workspace.http(), workspace.gitContexts());
             NamedContexts named = new NamedContexts(
                     NamedContexts.parse(request.namedContexts(), request.namedContextBase()),
                     scratch.resolve("named"), workspace.http(), workspace.gitChecksums(), options.clock(),
                     request.secrets())) {
            return run(main, named, scratch, agents.sockets());
        } finally {
            deleteQuietly(scratch);
        }
    }

    private BuildResult run(MainContext main, NamedContexts named, Path scratch, Map<String, Path> ssh)
            throws EngineException, InterruptedException {
        String name = request.dockerfileName();
        String text = main.dockerfileText();
        Platform platform = Platform.of("linux", System.getProperty("os.arch"), "");
        Map<String, String> args = new TreeMap<>(request.buildArgs());
        request.sourceDateEpoch().ifPresent(e -> args.putIfAbsent("SOURCE_DATE_EPOCH", Long.toString(e)));
        List<String> allNames = new ArrayList<>(request.tags());
        request.outputs().forEach(o -> allNames.addAll(o.names()));
        for (String tag : allNames) {
            try {
                ImageName.parse(tag);
            } catch (IllegalArgumentException e) {
                throw new EngineException("invalid tag \"" + tag + "\": " + referenceError(tag, e.getMessage()));
            }
        }
        if (request.outputs().stream().anyMatch(BuildOutput::push) && ImageOutputs.pushNames(request).isEmpty()) {
            // buildx's words exactly (build/opt.go); -t NAME or name= in the output gives the tag.
            throw new EngineException("tag is needed when pushing to registry");
        }
        // The outputs share one exported image: its layers are clamped for all or for none.
        if (request.outputs().stream().filter(o -> !o.type().equals("local") && !o.type().equals("tar"))
                .map(BuildOutput::clampsLayers).distinct().count() > 1) {
            throw new EngineException("outputs with rewrite-timestamp=true and rewrite-timestamp=false in one build "
                    + "are not supported by wharf: give all image outputs the same value");
        }
        if (request.platform().isPresent()) {
            Platform wanted;
            try {
                wanted = Platform.parse(request.platform().get(), platform);
            } catch (DockerfileException e) {
                // buildx parses --platform with containerd's platforms.Parse (util/platformutil); its errors end
                // with errdefs' "invalid argument" already.
                throw new EngineException(e.reason());
            }
            if (!wanted.equals(platform)) {
                throw new EngineException("wharf builds for this host's platform only (" + platform.format()
                        + "), not " + wanted.format() + "; build on such a host or drop --platform");
            }
        }
        // The frontend reads BUILDKIT_MULTI_PLATFORM with its configuration, before it solves a step.
        Optional<PlatformIndex> platformIndex = PlatformIndex.of(request.buildArgs(), platform,
                workspace.store().writer());
        long definitionStart = System.nanoTime();
        int definition = checkOnly ? 0 : startDefinition(name, text, main);
        BuildPlan plan;
        try {
            plan = plan(main, named, name, text, platform, args, definition);
        } finally {
            // Also when planning fails: BuildKit's definition vertex is done, the error is the solve's.
            endDefinition(definition, definitionStart);
        }
        if (plan == null) {
            return null;
        }
        // buildx 0.13.1 on the peer: a directory replacing a stage loads its ignore file before the base images'
        // metadata (toDispatchState resolves a stage's own name first), the other named directories after it,
        // all before the main context's .dockerignore.
        NamedContextVertices contextVertices = new NamedContextVertices(named, plan,
                workspace.store().root().resolve("state").resolve("context-transfers"), request.listener(), steps);
        contextVertices.showIgnoreFiles(true);
        images.showLocalMetadata();
        contextVertices.showIgnoreFiles(false);
        if (main.local() || request.context() instanceof BuildContext.Stream && !main.unpacked()) {
            // A Dockerfile alone on standard input: buildx sends it with an empty local context, whose
            // .dockerignore BuildKit still loads (2 bytes).
            showDockerIgnore(main);
        }
        checkEntitlements(plan, name, text);
        OptionalLong epoch = plan.sourceDateEpoch();
        OffsetDateTime started = OffsetDateTime.ofInstant(options.clock().instant(), ZoneOffset.UTC);
        try {
            CacheImports imports = importCaches();
            BuildSettings settings = new BuildSettings(DockerfileText.of(name, text), request.listener(), epoch,
                    started, request.runtime().orElse(options.runtime()),
                    CopySources.context(main.root(), main.local(), main.dockerfile(), options.clock(),
                            contextChecksums(main)), scratch,
                    platform, options.parallelism(), request.explainCache(), request.secrets(), request.network(),
                    ssh, request.seccomp(), request.resources(), images, imports, named, extraHostsFile(scratch),
                    request.ulimits(), runKeyExtras(),
                    request.shmSize().orElse(dev.wharf.builder.sandbox.SandboxSpec.DEFAULT_SHM_SIZE), hostname(),
                    cacheMountNamespace());
            Optional<ContextTransfer> transfer = main.local()
                    ? Optional.of(new ContextTransfer(settings.context()::snapshot, ContextTransfer.paths(plan),
                            workspace.store().root().resolve("state").resolve("context-transfers"),
                            request.listener(), steps))
                    : Optional.empty();
            BuildExecutor executor = new BuildExecutor(workspace, plan, settings, new StepRunner(workspace, settings),
                    steps, transfer, contextVertices);
            // The exporter completes a history that lacks entries for layers (a directory context's files).
            BuildExecutor.State built = HistoryGaps.fill(executor.run());
            BuildResult result = export(() -> {
                // The final image's layers must be in the store, also those of steps hit in an imported cache.
                imports.ensure(built.layers());
                BuildExecutor.State state = built;
                List<dev.wharf.cache.CacheRecord> inline = inlineCache(plan, executor.records());
                if (epoch.isPresent() && exportsClampedLayers(request.outputs())) {
                    EpochLayers clamp = new EpochLayers(workspace.store().epochVariants(), workspace.store().json(),
                            epoch.getAsLong());
                    state = clamp.image(built);
                    inline = clamp.inline(inline, state.image());
                }
                return new ImageOutputs(workspace, options, request, registries, images, steps, platformIndex)
                        .write(state, settings.created(), executor.timings(), scratch, epoch, inline);
            });
            try {
                imports.keep(workspace.cache());
            } catch (CacheException e) {
                throw new EngineException("cannot keep the imported build cache records in " + workspace.store().root()
                        + ": " + e.getMessage(), e);
            }
            CacheExports.export(request.cacheTo(), plan, executor.records(), imports.provider(),
                    workspace.layerCompressor(), registries::client, request.listener(), steps::incrementAndGet);
            return result;
        } catch (IOException e) {
            throw new EngineException("cannot write the image into " + workspace.store().root() + ": "
                    + e.getMessage(), e);
        } finally {
            // Also after a failed step: the digests computed so far spare the next build re-reading those files.
            if (main.local()) {
                workspace.persistContextChecksums();
            }
        }
    }

    /**
     * Whether the build's outputs export layers that {@code SOURCE_DATE_EPOCH} clamps: an image output (the default
     * image when there is no output, an image, oci or docker one) that rewrites timestamps. Files written by
     * {@code local} or {@code tar} come from the unclamped snapshots, so a build with only those clamps nothing (the
     * pass would read and rewrite every layer, and leave clamped/ records, for nothing).
     */
    static boolean exportsClampedLayers(List<BuildOutput> outputs) {
        if (outputs.isEmpty()) {
            return true;
        }
        List<BuildOutput> images = outputs.stream()
                .filter(o -> !o.type().equals("local") && !o.type().equals("tar")).toList();
        return !images.isEmpty() && images.stream().allMatch(BuildOutput::clampsLayers);
    }

    /**
     * Plans the build (or, for {@code --check}, runs its checks and returns null), telling the plan's warnings as
     * those of the definition's step.
     */
    private BuildPlan plan(MainContext main, NamedContexts named, String name, String text, Platform platform,
                           Map<String, String> args, int definition)
            throws EngineException, InterruptedException {
        Map<String, NamedContextRef> contexts;
        try {
            contexts = named.planRefs(workspace.store());
        } catch (LayerException e) {
            throw new EngineException("cannot load a named build context: " + e.getMessage(), e);
        }
        List<CheckWarning> found = new ArrayList<>();
        ignorePatterns = ignorePatterns(main);
        images = new RegistryImages(workspace.store(), registries, request.pull(), request.listener(), steps,
                named.imageReferences());
        try {
            // BuildKit forwards to another frontend before its Dockerfile parser reads anything.
            FrontendSyntax.check(name, text, args);
            Dockerfile dockerfile = parsed.parse(name, text, ParseCache.of(workspace.store().root()));
            PlanRequest planRequest = new PlanRequest(name, args, request.target(), platform, request.noCache(),
                    request.noCacheFilter(), contexts);
            if (outlineOnly) {
                outline = new Planner(images).outline(text, dockerfile, planRequest);
                return null;
            }
            if (checkOnly) {
                checkReport = check(name, dockerfile, planRequest);
                return null;
            }
            BuildPlan plan = new Planner(images).withDockerIgnore(ignorePatterns).plan(dockerfile, planRequest, found);
            for (PlanWarning warning : plan.warnings()) {
                request.listener().onEvent(PlanWarnings.event(name, warning).atStep(definition));
            }
            return plan;
        } catch (DockerfileException e) {
            if (checkOnly && !outlineOnly) {
                // BuildKit's lint subrequest (dockerfile2llb.DockerfileLint) reports toDispatchState's error, a
                // parse error too, as the results' buildError, not as a failed request: --call=check,format=json
                // still prints its JSON.
                checkReport = new CheckReport(name, List.of(), Optional.of(e.reason()),
                        e.range().map(r -> r.start().line()).orElse(0), e.range().map(r -> r.end().line()).orElse(0));
                return null;
            }
            for (CheckWarning warning : found) {
                request.listener().onEvent(PlanWarnings.event(name, warning).atStep(definition));
            }
            int line = e.range().map(r -> r.start().line()).orElse(0);
            String step = line > 0 ? DockerfileText.of(name, text).text(e.range().get()) : "";
            if (step.isBlank()) {
                // No instruction to name: an empty file, or one of only comments (the error is past its end).
                step = "planning " + name;
            }
            throw new BuildFailedException(step, name, line, null, e.reason(), e);
        }
    }

    /**
     * Why a {@code -t} name is refused, in buildx's words (build/opt.go checks each tag with distribution's
     * {@code reference.Parse}: {@code repository name must be lowercase}, {@code invalid reference format}), or
     * wharf's own reason for a name that parses but cannot name an image (a digest).
     */
    private static String referenceError(String tag, String own) {
        try {
            dev.wharf.layers.registry.ImageReference.parse(tag);
            return own;
        } catch (dev.wharf.layers.registry.InvalidReferenceException e) {
            return e.getMessage().matches("invalid reference format: repository name \\(.*\\) must be lowercase")
                    ? "repository name must be lowercase" : e.getMessage();
        }
    }

    /**
     * Starts BuildKit's first vertex, {@code [internal] load build definition from Dockerfile}, with its status
     * {@code transferring dockerfile: 52B}: dockerui reads the Dockerfile (by its base name; one from standard input
     * is {@code Dockerfile}, as buildx writes it) in that vertex, and the build checks' findings are its warnings
     * (frontend/dockerui/config.go attaches them to the definition's vertex), so the plain progress shows them as
     * {@code #1 WARN: RuleName: ... (line N)} before {@code #1 DONE}. The byte count is that of BuildKit's file
     * transfer ({@link FsutilTransferSize}: the file and its stat); a Dockerfile not read from a file (standard
     * input) counts as one written just now.
     */
    private int startDefinition(String name, String text, MainContext main) {
        if (request.context() instanceof BuildContext.Git git) {
            // dockerui reads the Dockerfile out of the git source: BuildKit's first vertex is that source's,
            // with no transfer (buildx 0.13.1: "#1 [internal] load git source URL#REF:DIR").
            int step = steps.incrementAndGet();
            request.listener().onEvent(new BuildEvent.StepStarted(step, "internal", 0, 0,
                    "load git source " + git.url()));
            return step;
        }
        if (request.context() instanceof BuildContext.Url
                || request.context() instanceof BuildContext.Stream && main.unpacked()) {
            // dockerui downloads with llb.HTTP ("[internal] load remote build context") and unpacks an archive
            // with a copy of its own, shown after the download ends ("copy /context /"; endDefinition). buildx
            // serves an archive on standard input to it the same way (a Dockerfile there is a local one).
            int step = steps.incrementAndGet();
            request.listener().onEvent(new BuildEvent.StepStarted(step, "internal", 0, 0,
                    "load remote build context"));
            unpackVertex = main.unpacked();
            return step;
        }
        int step = steps.incrementAndGet();
        request.listener().onEvent(new BuildEvent.StepStarted(step, "internal", 0, 0,
                "load build definition from " + name));
        String base = Path.of(name).getFileName() == null ? name : Path.of(name).getFileName().toString();
        Optional<Path> file = main.dockerfile().filter(Files::isRegularFile);
        long bytes = file.isPresent()
                ? FsutilTransferSize.dockerfile(file.get(), base, file.get().resolveSibling(base + ".dockerignore"))
                : FsutilTransferSize.of(new FsutilTransferSize.FileStat(base, 0644, 0, 0,
                        text.getBytes(StandardCharsets.UTF_8).length,
                        System.currentTimeMillis() * 1_000_000L, ""), 0, true) + FsutilTransferSize.end();
        request.listener().onEvent(new BuildEvent.Transfer(step, "transferring dockerfile:", bytes, 0, true));
        return step;
    }

    /**
     * BuildKit's {@code #N [internal] load .dockerignore} with {@code transferring context: 2B done}: dockerui
     * fetches the ignore file beside the Dockerfile (or the context's) by itself before it plans the context's
     * transfer; the count is its file-sync transfer, 2 bytes when there is none.
     */
    private void showDockerIgnore(MainContext main) {
        Optional<Path> found;
        try {
            found = DockerIgnore.locate(main.root(), main.dockerfile());
        } catch (ContextException e) {
            found = Optional.empty();
        }
        if (found.isPresent() && !found.get().getFileName().toString().equals(DockerIgnore.DEFAULT_NAME)) {
            // The Dockerfile's own NAME.dockerignore came with the Dockerfile: dockerui then never loads the
            // context's .dockerignore, so BuildKit shows no such vertex (buildx 0.13.1 with -f x.Dockerfile and
            // x.Dockerfile.dockerignore).
            return;
        }
        int step = steps.incrementAndGet();
        long start = System.nanoTime();
        request.listener().onEvent(new BuildEvent.StepStarted(step, "internal", 0, 0, "load .dockerignore"));
        long bytes = found.isPresent()
                ? FsutilTransferSize.singleFile(found.get(), found.get().getFileName().toString())
                : FsutilTransferSize.end();
        request.listener().onEvent(new BuildEvent.Transfer(step, "transferring context:", bytes, 0, true));
        request.listener().onEvent(new BuildEvent.StepDone(step,
                java.time.Duration.ofNanos(System.nanoTime() - start)));
    }

    /** Ends the definition's vertex once planning has told its warnings (none in a {@code --check} run). */
    private void endDefinition(int step, long startNanos) {
        if (step > 0) {
            request.listener().onEvent(new BuildEvent.StepDone(step,
                    java.time.Duration.ofNanos(System.nanoTime() - startNanos)));
        }
        if (step > 0 && unpackVertex) {
            unpackVertex = false;
            int copy = steps.incrementAndGet();
            long start = System.nanoTime();
            request.listener().onEvent(new BuildEvent.StepStarted(copy, "", 0, 0, "copy /context /"));
            request.listener().onEvent(new BuildEvent.StepDone(copy,
                    java.time.Duration.ofNanos(System.nanoTime() - start)));
        }
    }

    /**
     * The digests of a local context's files are kept across builds (their stat data tells when they change); a
     * context unpacked from a tarball, git or a URL is new files every build, so its digests are kept for this one.
     */
    private ChecksumCache contextChecksums(MainContext main) {
        return main.local() ? workspace.contextChecksums() : ChecksumCache.inMemory(100_000);
    }

    /**
     * The records an inline cache carries ({@code --cache-to type=inline} or the build arg
     * {@code BUILDKIT_INLINE_CACHE}, read as BuildKit's frontend reads it, a Go boolean): those of the stages the
     * image is made of; none when not asked for.
     */
    private List<dev.wharf.cache.CacheRecord> inlineCache(BuildPlan plan,
                                                          Map<Integer, List<dev.wharf.cache.CacheRecord>> byStage) {
        String arg = request.buildArgs().getOrDefault("BUILDKIT_INLINE_CACHE", "false");
        boolean wanted = List.of("1", "t", "true", "TRUE", "True").contains(arg)
                || request.cacheTo().stream().anyMatch(d -> d.type() == CacheSource.Type.INLINE);
        if (!wanted) {
            return List.of();
        }
        List<dev.wharf.cache.CacheRecord> records = new ArrayList<>();
        for (int stage : CacheExports.stages(plan, CacheDestination.Mode.MIN)) {
            records.addAll(byStage.getOrDefault(stage, List.of()));
        }
        return records;
    }

    /**
     * Runs the export phase (the image into the store, the {@code -o} outputs, the push). A cancel in it ends it as
     * one in a step does: BuildKit's exporter vertex is open meanwhile, so the cancel shows as that vertex
     * {@code CANCELED} (the CLI shows exporter vertexes only after a build, so it is opened here, then), unless a
     * vertex of its own (a push) already showed it. Written files are safe as they are: blobs enter the store
     * verified and renamed whole, outputs are staged beside their destination and deleted when cut short, and a
     * name is only given to an image whose blobs are all stored; a cancel that lands after the last interruptible
     * write still ends the build as cancelled, as the client's context is.
     */
    private BuildResult export(ExportPhase phase) throws EngineException, IOException, InterruptedException {
        long start = System.nanoTime();
        BuildResult result;
        try {
            result = phase.run();
        } catch (InterruptedException e) {
            throw e; // reported by the vertex it stopped
        } catch (EngineException | IOException | RuntimeException e) {
            if (!Cancellation.causedBy(e)) {
                throw e;
            }
            throw exportCancelled(e, start);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw exportCancelled(null, start);
        }
        return result;
    }

    private InterruptedException exportCancelled(Throwable cause, long start) {
        int step = steps.incrementAndGet();
        request.listener().onEvent(new BuildEvent.StepStarted(step, "", 0, 0,
                Cancellation.exporterVertex(request.outputs())));
        request.listener().onEvent(new BuildEvent.StepFailed(step, BuildEvent.StepFailed.CANCELLED,
                ImagePushes.since(start)));
        return Cancellation.of(cause);
    }

    /** The export phase's work. */
    @FunctionalInterface
    private interface ExportPhase {
        BuildResult run() throws EngineException, IOException, InterruptedException;
    }

    /**
     * With {@code --add-host} lines or a hostname of its own, this build's own {@code /etc/hosts} for RUN steps, in
     * its scratch directory; without, empty: RUN steps use the workspace's shared one.
     */
    private Optional<Path> extraHostsFile(Path scratch) throws IOException {
        if (request.extraHosts().isEmpty() && hostname().equals(SandboxSpec.DEFAULT_HOSTNAME)) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder(EtcFiles.hosts(hostname()));
        request.extraHosts().forEach(h -> text.append(h.hostsLine()).append('\n'));
        Path file = scratch.resolve("hosts");
        Files.writeString(file, text);
        return Optional.of(file);
    }

    /** Reads the {@code --cache-from} sources' indexes (an unreadable one is a warning). */

    /**
     * The hostname of RUN steps: the build arg {@code BUILDKIT_SANDBOX_HOSTNAME} when it is not empty, as dockerui
     * reads it into the frontend's hostname option (config.go, keyHostnameArg) and dockerfile2llb sets it on every
     * stage's state; else BuildKit's {@code buildkitsandbox}.
     */
    private String hostname() {
        String value = request.buildArgs().getOrDefault("BUILDKIT_SANDBOX_HOSTNAME", "");
        return value.isEmpty() ? SandboxSpec.DEFAULT_HOSTNAME : value;
    }

    /**
     * The namespace of cache mount ids: the build arg {@code BUILDKIT_CACHE_MOUNT_NS} (dockerui's keyCacheNSArg),
     * which dockerfile2llb puts before every cache id ({@code NS/ID}, convert_runmount.go), so builds in other
     * namespaces use other caches.
     */
    private String cacheMountNamespace() {
        return request.buildArgs().getOrDefault("BUILDKIT_CACHE_MOUNT_NS", "");
    }

    /** What of the RUN steps' environment BuildKit keeps in its exec op, and so in their cache keys. */
    private java.util.SortedMap<String, List<String>> runKeyExtras() {
        java.util.SortedMap<String, List<String>> extras = new java.util.TreeMap<>();
        if (!request.extraHosts().isEmpty()) {
            extras.put("extraHosts", request.extraHosts().stream().map(ExtraHost::hostsLine).toList());
        }
        if (!request.ulimits().isEmpty()) {
            extras.put("ulimits", request.ulimits().stream().map(Object::toString).toList());
        }
        request.shmSize().ifPresent(bytes -> extras.put("shmSize", List.of(Long.toString(bytes))));
        // A cache mount's namespaced id is part of its exec op; MountKeys keys a step by it where BuildKit does.
        if (!cacheMountNamespace().isEmpty()) {
            extras.put(StepKeys.CACHE_MOUNT_NAMESPACE, List.of(cacheMountNamespace()));
        }
        // The exec op's Meta.Hostname is part of its digest (ExecOp.CacheMap clears only ProxyEnv).
        if (!hostname().equals(SandboxSpec.DEFAULT_HOSTNAME)) {
            extras.put("hostname", List.of(hostname()));
        }
        // dockerfile2llb/convert.go sets the build's network on every stage's state (d.state.Network), so a RUN
        // without --network has it in its exec op: a --network none build does not reuse a networked result.
        // Only none: wharf's default network is the host's (no bridge), so host and default run steps alike.
        if (request.network().equals("none")) {
            extras.put(StepKeys.BUILD_NETWORK, List.of(request.network()));
        }
        return extras;
    }

    private CacheImports importCaches() throws EngineException, InterruptedException {
        if (request.cacheFrom().isEmpty()) {
            return CacheImports.none(workspace.store().blobs());
        }
        List<RemoteCache> sources = new ArrayList<>();
        for (CacheSource source : request.cacheFrom()) {
            sources.add(RemoteCaches.of(source.type(), source.location(), source.tag(), registries::client,
                    "--cache-from"));
        }
        return CacheImports.load(sources, workspace.store().blobs(), workspace.store().variants(), request.listener(),
                steps::incrementAndGet);
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Left in state/, which holds nothing else the store needs.
                }
            });
        } catch (IOException ignored) {
            // Nothing to delete.
        }
    }
}
