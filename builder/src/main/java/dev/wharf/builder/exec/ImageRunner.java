package dev.wharf.builder.exec;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.OutputSink;
import dev.wharf.builder.plan.Platform;
import dev.wharf.builder.sandbox.ExitStatus;
import dev.wharf.builder.sandbox.NetworkMode;
import dev.wharf.builder.sandbox.ProcessUser;
import dev.wharf.builder.snapshot.RootView;
import dev.wharf.builder.sandbox.SandboxException;
import dev.wharf.builder.sandbox.SandboxSpec;
import dev.wharf.builder.sandbox.UserResolver;
import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.SnapshotException;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.image.ExecutionConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs an image's entrypoint and command in the sandbox, without network, on a throw-away snapshot of the image
 * ({@code wharf run}), for smoke tests. Thread-safe.
 */
final class ImageRunner {
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Workspace workspace;
    private final String runtime;

    ImageRunner(Workspace workspace, String runtime) {
        this.workspace = workspace;
        this.runtime = runtime;
    }

    int run(String reference, List<String> command, OutputSink output) throws EngineException, InterruptedException {
        Platform platform = Platform.of("linux", System.getProperty("os.arch"), "");
        String key = "run-" + UUID.randomUUID();
        boolean prepared = false;
        try {
            LocalImages.Resolved image = new LocalImages(workspace.store()).find(reference, platform)
                    .orElseThrow(() -> new EngineException("image " + reference
                            + " is not in the local store; see `wharf images`"));
            ExecutionConfig config = image.config().config();
            List<String> argv = new ArrayList<>(config.entrypoint());
            argv.addAll(command.isEmpty() ? config.cmd() : command);
            if (argv.isEmpty()) {
                throw new EngineException("image " + reference + " has no entrypoint or command; give one: "
                        + "wharf run " + reference + " COMMAND...");
            }
            String parent = new LayerSnapshots(workspace.snapshotter(), workspace.store().blobs(),
                    workspace.posix()).ensure(image.layers());
            List<Mount> mounts = workspace.snapshotter().prepare(key, parent);
            prepared = true;
            List<String> env = new ArrayList<>(config.env());
            if (env.stream().noneMatch(e -> e.startsWith("PATH="))) {
                env.add(0, DEFAULT_PATH);
            }
            RootView view = RootView.of(mounts);
            ProcessUser user = new UserResolver().resolve(config.user(), view);
            SandboxSpec spec = SandboxSpec.builder(mounts, argv, workspace.hostsFile(), workspace.resolvConf())
                    .rootView(view)
                    .env(env)
                    .user(user)
                    .cwd(config.workingDir() == null ? "/" : config.workingDir())
                    .hostname(SandboxSpec.DEFAULT_HOSTNAME)
                    .network(NetworkMode.NONE)
                    .build();
            ExitStatus status = workspace.sandbox(runtime).run(spec, (stream, line) -> output.line(stream.fd(), line));
            return status.code();
        } catch (LayerException | SnapshotException | SandboxException e) {
            throw new EngineException("cannot run " + reference + ": " + e.getMessage(), e);
        } finally {
            if (prepared) {
                try {
                    workspace.snapshotter().remove(key);
                } catch (SnapshotException ignored) {
                    // The snapshot store's sweep removes it later.
                }
            }
        }
    }
}
