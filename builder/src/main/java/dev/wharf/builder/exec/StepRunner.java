package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.plan.Step;
import dev.wharf.builder.plan.StepSource;
import dev.wharf.builder.sandbox.ExitStatus;
import dev.wharf.builder.sandbox.NetworkMode;
import dev.wharf.builder.sandbox.ProcessUser;
import dev.wharf.builder.snapshot.RootView;
import dev.wharf.builder.sandbox.SandboxMount;
import dev.wharf.builder.sandbox.SandboxSpec;
import dev.wharf.builder.sandbox.UserResolver;
import dev.wharf.builder.snapshot.LinkedTree;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.Snapshotter;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.layout.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Does the filesystem work of WORKDIR (creates the directory) and RUN (through the sandbox with the step's
 * environment, user, working directory, shell and {@link RunMounts mounts}) in a prepared snapshot, and finds what
 * a {@code from=} names (the context, another stage's files, an image's files) for them and for {@link CopyRunner}.
 *
 * <p>Thread-safe: stages of one build may run at once.
 */
final class StepRunner {
    private final Workspace workspace;
    private final BuildSettings settings;
    private final Map<Integer, CopySources> stageSources = new HashMap<>();
    private final Map<Integer, CopySources> mountSources = new HashMap<>();
    /** The files of the images steps read, by planned reference: copies', and (unlinked) mounts'. */
    private final Map<String, CopySources> imageSources = new HashMap<>();
    private final Map<String, CopySources> imageMountSources = new HashMap<>();
    private final BindCopies bindCopies;

    StepRunner(Workspace workspace, BuildSettings settings) {
        this.workspace = workspace;
        this.settings = settings;
        this.bindCopies = new BindCopies(settings.scratch());
    }

    /**
     * The extra mounts of the RUN step running {@code argv}. A cache mount's source missing from its cache fails the
     * step as BuildKit's executor fails it, naming the process it could not start.
     */
    private RunMounts.Prepared mounts(Step step, Map<Integer, BuildExecutor.State> stages, List<String> argv)
            throws Exception {
        try {
            return runMounts().mounts(step, stages, settings.scratch());
        } catch (RunMounts.MissingSource e) {
            throw new BuildExecutor.StepFailure("process " + process(argv) + " did not complete successfully: "
                    + e.getMessage(), null, e);
        }
    }

    private RunMounts runMounts() {
        return new RunMounts(workspace.store().root().resolve("cache-mounts"), this, settings.secrets(),
                settings.ssh(), settings.cacheMountNamespace(), bindCopies, workspace.posix());
    }

    /** Adds the content checksums of a RUN step's bind mounts. */
    void mountChecksums(Step step, Map<Integer, BuildExecutor.State> stages, Map<String, Digest> checksums)
            throws Exception {
        runMounts().checksums(step, stages, checksums);
    }

    /** WORKDIR: creates the working directory, owned by the step's user as BuildKit does. */
    void workdir(Step step, List<Mount> mounts) throws Exception {
        RootView view = RootView.of(mounts);
        ProcessUser user = step.environment().user().isEmpty() ? ProcessUser.ROOT
                : new UserResolver().resolveFileOwner(step.environment().user(), view);
        FileWriter writer = new FileWriter(Path.of(mounts.get(0).writableDir().orElseThrow()), view,
                workspace.posix(), (int) user.uid(), (int) user.gid(), !step.environment().user().isEmpty(),
                settings.createdNanos(), 0755);
        writer.workdir(step.config().workingDir().isEmpty() ? "/" : step.config().workingDir());
        writer.finish();
    }

    /**
     * RUN: the command in the sandbox; a non-zero exit is a {@link BuildExecutor.StepFailure} with its code.
     */
    void run(Step step, RunInstruction run, List<Mount> mounts, int number, long start, Map<String, String> proxy,
             Map<Integer, BuildExecutor.State> stages) throws Exception {
        List<String> argv = RunCommand.argv(run.command(), step.environment().shell());
        ExitStatus status;
        StepLogLimiter logs;
        try (RunMounts.Prepared extra = mounts(step, stages, argv)) {
            List<String> env = new ArrayList<>(step.environment().env());
            proxy.forEach((k, v) -> env.add(k + "=" + v));
            env.addAll(extra.env());
            // One view for the user's lookup and the sandbox's reading of the root: /etc is read once per RUN.
            RootView view = RootView.of(mounts);
            ProcessUser user;
            try {
                user = new UserResolver().resolve(step.environment().user(), view);
            } catch (dev.wharf.builder.sandbox.SandboxException e) {
                // BuildKit resolves USER in its executor, so the exec op's wrapper names the process
                // (solver/llbsolver/ops/exec.go: "process %q did not complete successfully: unable to find user").
                throw new BuildExecutor.StepFailure("process " + process(argv) + " did not complete successfully: "
                        + e.getMessage(), null, e);
            }
            String cwd = step.environment().workingDir().isEmpty() ? "/" : step.environment().workingDir();
            NetworkMode network = network(run.network());
            SandboxSpec.Builder spec = SandboxSpec.builder(mounts, argv,
                            settings.extraHostsFile().isPresent() ? settings.extraHostsFile().get()
                                    : workspace.hostsFile(),
                            workspace.resolvConf(network))
                    .ulimits(settings.ulimits())
                    .shmSize(settings.shmSizeBytes())
                    .hostname(settings.hostname())
                    .rootView(view)
                    .env(env)
                    .user(user)
                    .cwd(cwd)
                    .network(network)
                    .seccomp(settings.seccomp())
                    .resources(settings.resources());
            for (SandboxMount mount : extra.mounts()) {
                spec.mount(mount);
            }
            java.util.Optional<dev.wharf.grammar.instructions.InlineFile> script =
                    RunCommand.shebangScript(run.command());
            if (script.isPresent()) {
                // BuildKit's dispatchRun: a one-here-document RUN starting with #! is a 0755 file in a read-only
                // mount at /dev/pipes/, and the shell runs its path, so the shebang's interpreter runs it.
                Path dir = Files.createTempDirectory(settings.scratch(), "pipes-");
                Path file = dir.resolve(script.get().name());
                Files.writeString(file, RunCommand.scriptText(script.get()), java.nio.charset.StandardCharsets.UTF_8);
                Files.setAttribute(file, "unix:mode", 0755);
                Files.setAttribute(dir, "unix:mode", 0755);
                spec.mount(SandboxMount.bind(dir.toString(), RunCommand.PIPES, true));
            }
            logs = StepLogLimiter.fromEnvironment(new dev.wharf.builder.sandbox.OutputListener() {
                @Override
                public void onLine(dev.wharf.builder.sandbox.StdStream stream, String line) {
                    onLine(stream, line, System.nanoTime());
                }

                @Override
                public void onLine(dev.wharf.builder.sandbox.StdStream stream, String line, long startNanos) {
                    onLine(stream, line, startNanos, true);
                }

                @Override
                public void onLine(dev.wharf.builder.sandbox.StdStream stream, String line, long startNanos,
                                   boolean terminated) {
                    settings.listener().onEvent(new BuildEvent.StepLog(number, stream.fd(), line,
                            Duration.ofNanos(Math.max(0, startNanos - start)), terminated));
                }
            }, System.getenv());
            status = workspace.sandbox(settings.runtime()).run(spec.build(), logs);
        }
        if (!status.success() && status.termination() != ExitStatus.Termination.CANCELLED) {
            logs.flushAfterFailure();
        }
        if (status.termination() == ExitStatus.Termination.CANCELLED) {
            throw new InterruptedException("build cancelled");
        }
        // Without an exit code the failure's message keeps this reason, which names the limit.
        if (status.termination() == ExitStatus.Termination.OUT_OF_MEMORY) {
            throw new BuildExecutor.StepFailure("process " + process(argv) + " ran out of memory: "
                    + "the kernel killed it at the memory limit of " + mebibytes(settings.resources()
                    .memoryBytes().getAsLong()) + " (--memory; exit code " + status.code() + ")", null, null);
        }
        if (status.termination() == ExitStatus.Termination.PIDS_LIMIT) {
            throw new BuildExecutor.StepFailure("process " + process(argv) + " did not complete "
                    + "successfully: exit code: " + status.code() + "; it reached the pids limit of "
                    + settings.resources().pids().getAsLong() + " processes (--pids-limit), so a fork failed",
                    null, null);
        }
        if (status.termination() == ExitStatus.Termination.NOT_EXECUTED) {
            // BuildKit's runc executor reports runc's own exit status, 1, for a command that could not be executed
            // (runc's message is in the step's output), not docker run's 127 or 126.
            throw new BuildExecutor.StepFailure("process " + process(argv)
                    + " did not complete successfully: exit code: 1", 1, null);
        }
        if (!status.success()) {
            throw new BuildExecutor.StepFailure("process " + process(argv)
                    + " did not complete successfully: exit code: " + status.code(), status.code(), null);
        }
    }

    /** The command as BuildKit's exec op names it in errors: its arguments joined, Go-quoted ({@code %q}). */
    private static String process(List<String> argv) {
        return dev.wharf.grammar.go.GoQuote.quote(String.join(" ", argv));
    }

    private static String mebibytes(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }

    /**
     * {@code RUN --network}; {@code default} is the build's network ({@code --network}). Like {@code docker build},
     * a RUN has a network unless the build or the step says {@code none}: wharf has no bridge network, so that
     * network is the host's, as in a standalone BuildKit without CNI.
     */
    private NetworkMode network(dev.wharf.grammar.instructions.NetworkMode mode) {
        return switch (mode) {
            case HOST -> NetworkMode.HOST;
            case NONE -> NetworkMode.NONE;
            default -> settings.network().equals("none") ? NetworkMode.NONE : NetworkMode.HOST;
        };
    }

    /**
     * What a RUN mount's {@code from=} names: the context when empty, else a stage or an image, unpacked from its
     * layer blobs: a bind mount shows the tree to the command, which must see the link counts a layer gives, not
     * those of a {@link LinkedTree}.
     */
    CopySources sources(Step step, String from, Map<Integer, BuildExecutor.State> stages) throws Exception {
        if (from.isEmpty()) {
            return settings.context();
        }
        return sources(RunMounts.source(step, from).orElse(null), stages, false);
    }

    /**
     * What a cache mount's {@code from=} names, to key the step and fill the cache from: a stage or image as COPY
     * reads it, a {@link LinkedTree} of its snapshots (kept between builds) where links can be made. A fill copies
     * from it, so the link counts a bind mount must show do not matter, and unpacking the stage's blobs again in
     * every build to checksum a source the cache already holds cost seconds for a stage of a few thousand files.
     */
    CopySources cacheSources(Step step, String from, Map<Integer, BuildExecutor.State> stages) throws Exception {
        return sources(RunMounts.source(step, from).orElse(null), stages, true);
    }

    /**
     * What names the whole filesystem a RUN mount's {@code from=} reads, as the ref ID BuildKit keys a cache mount's
     * start state with (mounts.go, getRefCacheDir): the diff IDs of a stage's or image's layers (a stage rebuilt
     * with other content is another state, one found in the build cache the same), the content checksum of a named
     * context, or scratch. Not the mount's {@code source}: every source of one state shares one cache.
     */
    String stateIdentity(Step step, String from, Map<Integer, BuildExecutor.State> stages) throws Exception {
        StepSource source = RunMounts.source(step, from).orElse(null);
        List<LayerBlob> layers;
        if (source instanceof StepSource.Stage stage) {
            layers = stages.get(stage.index()).layers();
        } else if (source instanceof StepSource.Image image) {
            layers = new LocalImages(workspace.store()).find(image.image().reference(), settings.platform())
                    .orElseThrow(() -> new BuildExecutor.StepFailure("image " + image.written()
                            + " is not in the local store", null, null)).layers();
        } else if (source instanceof StepSource.Context) {
            return "context:" + sources(step, from, stages).checksum(new dev.wharf.context.source.CopyRequest(
                    List.of("."), "/mnt/", List.of(), false));
        } else {
            return "scratch";
        }
        StringBuilder id = new StringBuilder("layers");
        layers.forEach(l -> id.append(':').append(l.diffId()));
        return id.toString();
    }

    /** The files of a stage or image a COPY or ADD reads; an empty tree for scratch (or nothing). */
    CopySources sources(StepSource source, Map<Integer, BuildExecutor.State> stages) throws Exception {
        return sources(source, stages, true);
    }

    /** @param linked whether a stage or image may be a {@link LinkedTree} of its snapshots (read by copies only) */
    private synchronized CopySources sources(StepSource source, Map<Integer, BuildExecutor.State> stages,
                                             boolean linked) throws Exception {
        if (source instanceof StepSource.Stage stage) {
            Map<Integer, CopySources> known = linked ? stageSources : mountSources;
            CopySources existing = known.get(stage.index());
            if (existing == null) {
                existing = CopySources.stage(materialize(stages.get(stage.index()).layers(), linked),
                        workspace.clock());
                known.put(stage.index(), existing);
            }
            return existing;
        }
        if (source instanceof StepSource.Context context) {
            return settings.namedContexts().sources(context.name());
        }
        if (source instanceof StepSource.Image image) {
            Map<String, CopySources> known = linked ? imageSources : imageMountSources;
            CopySources existing = known.get(image.image().reference());
            if (existing == null) {
                existing = lazyImage(image, linked);
                known.put(image.image().reference(), existing);
            }
            return existing;
        }
        return CopySources.stage(Files.createTempDirectory(settings.scratch(), "scratch-"), workspace.clock());
    }

    /**
     * The files of an image a step reads, pulled and unpacked only when a step needs them: the image's manifest and
     * config (stored when its metadata was resolved) give its layers' chain ID, under which the checksums of
     * earlier copies are remembered, so a step that hits the cache downloads no layer (BuildKit's lazy refs).
     */
    private CopySources lazyImage(StepSource.Image image, boolean linked) throws Exception {
        String reference = image.image().reference();
        List<LayerBlob> layers = find(image).layers();
        List<Digest> chain = ChainIds.of(layers.stream().map(LayerBlob::diffId).toList());
        String key = chain.isEmpty() ? "empty" : chain.get(chain.size() - 1).toString();
        return CopySources.lazyImage(() -> {
            try {
                settings.images().ensureLayers(reference, 0);
                return materialize(find(image).layers(), linked);
            } catch (dev.wharf.context.ContextException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                // In the words of the pull that failed, as when the layers were fetched before the step.
                throw new dev.wharf.context.ContextException(String.valueOf(e.getMessage()), e);
            }
        }, new GitChecksums.Scope(workspace.imageChecksums(), linked ? "image" : "image-mount", key),
                workspace.clock());
    }

    private LocalImages.Resolved find(StepSource.Image image) throws Exception {
        return new LocalImages(workspace.store()).find(image.image().reference(), settings.platform())
                .orElseThrow(() -> new BuildExecutor.StepFailure("image " + image.written()
                        + " is not in the local store", null, null));
    }

    /**
     * The root filesystem of {@code layers} in a fresh directory under the build's scratch directory, to be read
     * only. When {@code linked}, a {@link LinkedTree} of their snapshots (made from the blobs when missing, and kept
     * for later builds, as a FROM keeps them): materializing a stage to copy one file from it wrote all of its bytes
     * and inodes again, which was most of a COPY --from's time (scenarios e and g of bench/run.sh). Otherwise, or
     * where hard links cannot be made (the scratch directory on another filesystem, a link refused to a rootless
     * build), the layers unpacked from their blobs.
     */
    private Path materialize(List<LayerBlob> layers, boolean linked) throws Exception {
        settings.imports().ensure(layers);
        Path dir = Files.createTempDirectory(settings.scratch(), "from-");
        if (linked) {
            try {
                link(layers, dir);
                return dir;
            } catch (IOException e) {
                FileTrees.delete(dir);
                dir = Files.createTempDirectory(settings.scratch(), "from-");
            }
        }
        LayerApplier applier = new LayerApplier(workspace.posix());
        for (LayerBlob layer : layers) {
            try (InputStream in = workspace.store().blobs().open(layer.descriptor().digest())) {
                applier.apply(in, dir);
            }
        }
        return dir;
    }

    /** Fills {@code dir} with links into the snapshots of {@code layers}, through a view that keeps them meanwhile. */
    private void link(List<LayerBlob> layers, Path dir) throws IOException {
        Snapshotter snapshotter = workspace.snapshotter();
        String top = new LayerSnapshots(snapshotter, workspace.store().blobs(), workspace.posix()).ensure(layers);
        if (top == null) {
            return;
        }
        String key = "from-" + UUID.randomUUID();
        List<Mount> view = snapshotter.view(key, top);
        try {
            List<Path> dirs = new ArrayList<>();
            for (String d : view.get(0).layerDirs()) {
                dirs.add(Path.of(d));
            }
            new LinkedTree(workspace.posix()).link(dirs, dir);
        } finally {
            snapshotter.remove(key);
        }
    }

    /** {@code dest} made absolute against the working directory, keeping a trailing slash (it means "a dir"). */
    static String absolute(String dest, String workingDir) {
        if (dest.startsWith("/")) {
            return dest;
        }
        String wd = workingDir.isEmpty() ? "/" : workingDir;
        return (wd.endsWith("/") ? wd : wd + "/") + dest;
    }
}
