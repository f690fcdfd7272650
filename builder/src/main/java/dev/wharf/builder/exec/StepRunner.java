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
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.context.source.CopyRequest;
import dev.wharf.context.source.DestinationView;
import dev.wharf.context.source.FileEntry;
import dev.wharf.context.source.FileSet;
import dev.wharf.context.walk.FileType;
import dev.wharf.grammar.instructions.AddInstruction;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.RunInstruction;
import dev.wharf.grammar.instructions.SourceContent;
import dev.wharf.grammar.instructions.SourcesAndDest;
import dev.wharf.grammar.parser.Word;
import dev.wharf.layers.Digest;
import dev.wharf.layers.layer.LayerApplier;
import dev.wharf.layers.layer.LayerBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Does the filesystem work of one step in a prepared snapshot: COPY/ADD (context files, here-documents,
 * {@code --from} another stage, {@code --chown}, octal {@code --chmod}, local tar archives), WORKDIR (creates the
 * directory) and RUN (through the sandbox with the step's environment, user, working directory, shell and
 * {@link RunMounts mounts}).
 *
 * <p>Thread-safe: stages of one build may run at once.
 */
final class StepRunner {
    /** A COPY/ADD with its sources resolved enough to know their checksum. */
    record PreparedCopy(CopySources sources, Optional<CopyRequest> request, List<SourceContent> heredocs,
                        String destination, Optional<String> chown, Optional<Chmod> chmod) {
    }

    private final Workspace workspace;
    private final BuildSettings settings;
    private final Map<Integer, CopySources> stageSources = new HashMap<>();

    StepRunner(Workspace workspace, BuildSettings settings) {
        this.workspace = workspace;
        this.settings = settings;
    }

    /** The extra mounts of a RUN step. */
    List<SandboxMount> mounts(Step step, Map<Integer, BuildExecutor.State> stages) throws Exception {
        return new RunMounts(workspace.store().root().resolve("cache-mounts"), this).mounts(step, stages,
                settings.scratch());
    }

    /** Adds the content checksums of a RUN step's bind mounts. */
    void mountChecksums(Step step, Map<Integer, BuildExecutor.State> stages, Map<String, Digest> checksums)
            throws Exception {
        new RunMounts(workspace.store().root().resolve("cache-mounts"), this).checksums(step, stages, checksums);
    }

    /** Resolves a COPY/ADD's sources and puts their content checksum into {@code checksums}. */
    PreparedCopy prepareCopy(Step step, Map<Integer, BuildExecutor.State> stages, Map<String, Digest> checksums)
            throws Exception {
        SourcesAndDest files;
        Optional<Word> chown;
        Optional<Word> chmod;
        List<String> excludes;
        boolean parents = false;
        CopySources sources = settings.context();
        if (step.instruction() instanceof CopyInstruction copy) {
            files = copy.files();
            chown = copy.chown();
            chmod = copy.chmod();
            excludes = copy.excludes().stream().map(Word::text).toList();
            parents = copy.parents();
            if (copy.from().isPresent()) {
                sources = fromSources(step.sources().isEmpty() ? null : step.sources().get(0), stages);
            }
        } else {
            AddInstruction add = (AddInstruction) step.instruction();
            files = add.files();
            chown = add.chown();
            chmod = add.chmod();
            excludes = add.excludes().stream().map(Word::text).toList();
            for (Word src : files.sourcePaths()) {
                if (src.text().matches("(?i)^(https?|git)://.*") || src.text().startsWith("git@")) {
                    throw new BuildExecutor.StepFailure("ADD from a URL or git repository (" + src.text()
                            + ") is not supported yet; download it into the context and COPY it", null, null);
                }
            }
        }
        String dest = absolute(files.dest().text(), step.environment().workingDir());
        Optional<CopyRequest> request = Optional.empty();
        if (!files.sourcePaths().isEmpty()) {
            request = Optional.of(new CopyRequest(files.sourcePaths().stream().map(Word::text).toList(), dest,
                    excludes, parents));
            FileSet probe = sources.resolve(request.get(), DestinationView.empty());
            checksums.put(sources.isContext() ? "context" : "from", Digest.parse(probe.checksum().toString()));
        }
        if (!files.sourceContents().isEmpty()) {
            StringBuilder all = new StringBuilder();
            for (SourceContent c : files.sourceContents()) {
                all.append(c.path()).append('\0').append(c.data()).append('\0');
            }
            checksums.put("heredoc", Digest.sha256Of(all.toString().getBytes(StandardCharsets.UTF_8)));
        }
        Optional<Chmod> mode = Optional.empty();
        if (chmod.isPresent() && !chmod.get().text().isEmpty()) {
            try {
                mode = Optional.of(Chmod.parse(chmod.get().text()));
            } catch (IllegalArgumentException e) {
                throw new BuildExecutor.StepFailure(e.getMessage(), null, e);
            }
        }
        return new PreparedCopy(sources, request, files.sourceContents(), dest,
                chown.map(Word::text).filter(s -> !s.isEmpty()), mode);
    }

    /** Writes a prepared COPY/ADD into the active snapshot {@code mounts}. */
    void copy(Step step, PreparedCopy copy, List<Mount> mounts) throws Exception {
        RootView view = RootView.of(mounts);
        Path upper = Path.of(mounts.get(0).writableDir().orElseThrow());
        Optional<ProcessUser> owner = copy.chown().isPresent()
                ? Optional.of(new UserResolver().resolve(copy.chown().get(), view)) : Optional.empty();
        int ownerUid = owner.map(u -> (int) u.uid()).orElse(0);
        int ownerGid = owner.map(u -> (int) u.gid()).orElse(0);
        FileWriter writer = new FileWriter(upper, view, workspace.posix(), ownerUid, ownerGid,
                settings.createdNanos());
        if (copy.request().isPresent()) {
            FileSet set = copy.sources().resolve(copy.request().get(), path -> typeOf(view, path));
            Map<String, Path> written = new HashMap<>();
            for (FileEntry e : set.entries()) {
                Path target = writer.prepare(e.destinationPath());
                int uid = owner.isPresent() ? ownerUid : copy.sources().isContext() ? 0 : e.stat().uid();
                int gid = owner.isPresent() ? ownerGid : copy.sources().isContext() ? 0 : e.stat().gid();
                int mode = copy.chmod().map(c -> c.apply(e.stat().permissions(),
                        e.type() == FileType.DIRECTORY)).orElse(e.stat().permissions());
                FileWriter.Attributes attrs = new FileWriter.Attributes(uid, gid, mode, e.stat().mtimeNanos());
                switch (e.type()) {
                    case DIRECTORY -> writer.directory(target, attrs);
                    case REGULAR -> {
                        Path source = copy.sources().file(e.sourcePath());
                        if (step.instruction() instanceof AddInstruction add && add.unpack().orElse(true)
                                && named(e, copy.request().get().sources()) && Archives.isTar(source)) {
                            // ADD unpacks a local tar archive (compression recognised by content) into the
                            // destination directory, keeping the archive's owners and modes, as BuildKit does.
                            Archives.unpack(source, writer.mkdirAll(copy.destination()),
                                    new LayerApplier(workspace.posix()));
                        } else if (e.hardlinkTo().isPresent() && written.containsKey(e.hardlinkTo().get())) {
                            writer.hardlink(written.get(e.hardlinkTo().get()), target);
                        } else {
                            writer.copyFile(source, target, attrs);
                        }
                    }
                    case SYMLINK -> writer.symlink(e.stat().linkTarget(), target, attrs);
                    default -> {
                        // Devices, fifos and sockets are not copied, as BuildKit's copier skips them from a context.
                    }
                }
                written.put(e.destinationPath(), target);
            }
        }
        for (SourceContent content : copy.heredocs()) {
            String dest = copy.destination();
            String path = dest.endsWith("/") || copy.heredocs().size() + (copy.request().isPresent() ? 1 : 0) > 1
                    ? dest.replaceAll("/+$", "") + "/" + content.path() : dest;
            writer.writeFile(content.data().getBytes(StandardCharsets.UTF_8), writer.prepare(path),
                    new FileWriter.Attributes(ownerUid, ownerGid, copy.chmod().map(c -> c.apply(0644, false)).orElse(0644),
                            settings.createdNanos()));
        }
        writer.finish();
    }

    /** WORKDIR: creates the working directory, owned by the step's user as BuildKit does. */
    void workdir(Step step, List<Mount> mounts) throws Exception {
        RootView view = RootView.of(mounts);
        ProcessUser user = step.environment().user().isEmpty() ? ProcessUser.ROOT
                : new UserResolver().resolve(step.environment().user(), view);
        FileWriter writer = new FileWriter(Path.of(mounts.get(0).writableDir().orElseThrow()), view,
                workspace.posix(), (int) user.uid(), (int) user.gid(), settings.createdNanos());
        writer.mkdirAll(step.config().workingDir().isEmpty() ? "/" : step.config().workingDir());
        writer.finish();
    }

    /** RUN: the command in the sandbox; a non-zero exit is a {@link BuildExecutor.StepFailure} with its code. */
    void run(Step step, RunInstruction run, List<Mount> mounts, int number, long start, Map<String, String> proxy,
             Map<Integer, BuildExecutor.State> stages) throws Exception {
        List<String> argv = RunCommand.argv(run.command(), step.environment().shell());
        List<String> env = new ArrayList<>(step.environment().env());
        proxy.forEach((k, v) -> env.add(k + "=" + v));
        ProcessUser user = new UserResolver().resolve(step.environment().user(), RootView.of(mounts));
        String cwd = step.environment().workingDir().isEmpty() ? "/" : step.environment().workingDir();
        SandboxSpec.Builder spec = SandboxSpec.builder(mounts, argv, workspace.hostsFile(), workspace.resolvConf())
                .env(env)
                .user(user)
                .cwd(cwd)
                .network(run.network() == dev.wharf.grammar.instructions.NetworkMode.HOST
                        ? NetworkMode.HOST : NetworkMode.NONE);
        for (SandboxMount extra : mounts(step, stages)) {
            spec.mount(extra);
        }
        ExitStatus status = workspace.sandbox(settings.runtime()).run(spec.build(), (stream, line) ->
                settings.listener().onEvent(new BuildEvent.StepLog(number, stream.fd(), line,
                        Duration.ofNanos(System.nanoTime() - start))));
        if (status.termination() == ExitStatus.Termination.CANCELLED) {
            throw new InterruptedException("build cancelled");
        }
        if (!status.success()) {
            throw new BuildExecutor.StepFailure("process \"" + String.join(" ", argv)
                    + "\" did not complete successfully: exit code: " + status.code(), status.code(), null);
        }
    }

    /** What a {@code from=} (or {@code --from}) names: the context when empty, else a stage or an image. */
    CopySources sources(Step step, String from, Map<Integer, BuildExecutor.State> stages) throws Exception {
        if (from.isEmpty()) {
            return settings.context();
        }
        return fromSources(RunMounts.source(step, from).orElse(null), stages);
    }

    private synchronized CopySources fromSources(StepSource source, Map<Integer, BuildExecutor.State> stages)
            throws Exception {
        if (source instanceof StepSource.Stage stage) {
            CopySources existing = stageSources.get(stage.index());
            if (existing == null) {
                existing = CopySources.stage(materialize(stages.get(stage.index()).layers()),
                        workspace.clock());
                stageSources.put(stage.index(), existing);
            }
            return existing;
        }
        if (source instanceof StepSource.Image image) {
            LocalImages.Resolved resolved = new LocalImages(workspace.store())
                    .find(image.image().reference(), settings.platform())
                    .orElseThrow(() -> new BuildExecutor.StepFailure("image " + image.written()
                            + " is not in the local store", null, null));
            return CopySources.stage(materialize(resolved.layers()), workspace.clock());
        }
        return CopySources.stage(Files.createTempDirectory(settings.scratch(), "scratch-"), workspace.clock());
    }

    /** Unpacks {@code layers} into a fresh directory under the build's scratch directory. */
    private Path materialize(List<LayerBlob> layers) throws Exception {
        Path dir = Files.createTempDirectory(settings.scratch(), "from-");
        LayerApplier applier = new LayerApplier(workspace.posix());
        for (LayerBlob layer : layers) {
            try (InputStream in = workspace.store().blobs().open(layer.descriptor().digest())) {
                applier.apply(in, dir);
            }
        }
        return dir;
    }

    /**
     * True when the entry is a source itself, not a file inside a source directory: only those are unpacked. A
     * wildcard matches within one path component, so a match has as many components as its pattern.
     */
    private static boolean named(FileEntry entry, List<String> sources) {
        for (String source : sources) {
            String clean = source.replaceAll("^(\\./|/)+", "").replaceAll("/+$", "");
            if (entry.sourcePath().equals(clean) || (clean.matches(".*[*?\\[].*")
                    && entry.sourcePath().split("/").length == clean.split("/").length)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<FileType> typeOf(RootView view, String path) {
        try {
            Optional<Path> host = view.find(path);
            if (host.isEmpty()) {
                return Optional.empty();
            }
            int mode = (Integer) Files.getAttribute(host.get(), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(FileType.fromMode(mode));
        } catch (IOException e) {
            return Optional.empty();
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
