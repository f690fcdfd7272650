package dev.wharf.cli;

import dev.wharf.builder.api.BuildContext;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.context.ContextException;
import dev.wharf.context.sources.NamedContext;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf build}: builds a Dockerfile into an image of the local store. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build an image from a Dockerfile and a context directory.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the image was built", "1:the build failed", "2:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"  wharf build -t hello testdata/examples/hello",
            "  wharf build -f docker/Dockerfile --build-arg VERSION=1.2 --target runtime -t app:1.2 ."})
final class BuildCommand implements Callable<Integer> {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The Dockerfile (default: CONTEXT/Dockerfile); '-' reads it from standard input; for a "
                    + "tar, URL or git context a path inside the context.")
    String file;

    @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Tag the image (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]",
            description = "A build argument; KEY alone takes the value from the environment (repeatable).")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage instead of the last.")
    String target;

    @Option(names = "--no-cache", description = "Do not use the build cache.")
    boolean noCache;

    @Option(names = "--no-cache-filter", paramLabel = "STAGE", split = ",",
            description = "Do not use the build cache for these stages.")
    List<String> noCacheFilter = new ArrayList<>();

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto, plain or quiet (default: ${DEFAULT-VALUE}; auto prints plain).")
    String progress;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Add a label to the image (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--platform", paramLabel = "OS/ARCH",
            description = "The target platform; only the host's is supported.")
    String platform;

    @Option(names = "--metadata-file", paramLabel = "FILE",
            description = "Write the image digest, config digest and names as JSON to FILE.")
    Path metadataFile;

    @Option(names = {"-o", "--output"}, paramLabel = "type=TYPE,dest=PATH",
            description = "Where the result goes: type=image (tag it, the default), type=oci,dest=DIR (an OCI "
                    + "layout), type=docker,dest=FILE (a docker load tarball), type=local,dest=DIR or "
                    + "type=tar,dest=FILE (the root filesystem); repeatable.")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--secret", paramLabel = "id=ID,src=FILE",
            description = "A secret RUN --mount=type=secret,id=ID can read; repeatable.")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--network", paramLabel = "MODE", defaultValue = "default",
            description = "The network of RUN steps: default (the host's network, as docker build gives RUN a "
                    + "network), host, or none (only loopback).")
    String network;

    @Option(names = "--explain-cache", description = "Say for each step that runs which input changed since "
            + "its last build.")
    boolean explainCache;

    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image id to FILE.")
    Path iidFile;

    @Mixin
    StoreOptions store;

    @Option(names = "--build-context", paramLabel = "NAME=VALUE",
            description = "A named context FROM, COPY --from and RUN --mount=from use instead of a stage or image "
                    + "of that name: a directory, docker-image://REF, oci-layout://DIR[:TAG|@DIGEST], a git URL or "
                    + "an http(s) URL (repeatable).")
    List<String> buildContexts = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "CONTEXT", description = "The build context: a directory, '-' (a tar "
            + "archive on standard input, or a Dockerfile alone), a tarball's path or http(s) URL, or a git URL "
            + "(https://host/repo.git#ref:subdir, git@host:repo.git, git://host/repo).")
    String context;

    @Spec
    CommandSpec spec;

    /** BuildKit's metadata file keys for an image export. */
    private static String metadata(BuildResult result) {
        StringBuilder names = new StringBuilder();
        for (String tag : result.tags()) {
            names.append(names.length() == 0 ? "" : ",").append(tag);
        }
        return "{\n  \"containerimage.config.digest\": \"" + result.imageId() + "\",\n"
                + "  \"containerimage.digest\": \"" + result.imageDigest() + "\",\n"
                + "  \"image.name\": \"" + names.toString().replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"\n}\n";
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!List.of("auto", "plain", "quiet").contains(progress)) {
            err.println("wharf build: --progress must be auto, plain or quiet, not " + progress);
            return ExitCodes.USAGE;
        }
        BuildContext buildContext;
        try {
            buildContext = BuildContext.parse(context, System.in);
        } catch (IllegalArgumentException e) {
            err.println("wharf build: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (buildContext instanceof BuildContext.Directory dir) {
            buildContext = BuildContext.directory(dir.path().toAbsolutePath());
        }
        BuildRequest.Builder request = BuildRequest.builder(buildContext)
                .noCache(noCache)
                .explainCache(explainCache)
                .listener(progress.equals("quiet") ? ProgressListener.none() : new PlainProgress(err));
        if ("-".equals(file)) {
            if (buildContext instanceof BuildContext.Stream) {
                // buildx: "invalid argument: can't use stdin for both build context and dockerfile".
                err.println("wharf build: can't use stdin for both the build context and the Dockerfile");
                return ExitCodes.USAGE;
            }
            request.dockerfileText(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
        } else if (file != null) {
            request.dockerfile(buildContext instanceof BuildContext.Directory ? Path.of(file).toAbsolutePath()
                    : Path.of(file));
        }
        for (String value : buildContexts) {
            try {
                // Checked here for a usage error; the engine parses it again when it builds.
                NamedContext.parse(value, Path.of("").toAbsolutePath());
            } catch (ContextException e) {
                err.println("wharf build: --build-context: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            int eq = value.indexOf('=');
            request.namedContext(value.substring(0, eq), value.substring(eq + 1));
        }
        if (target != null) {
            request.target(target);
        }
        tags.forEach(request::tag);
        for (String label : labels) {
            int eq = label.indexOf('=');
            if (eq <= 0) {
                err.println("wharf build: --label " + label + " is not KEY=VALUE");
                return ExitCodes.USAGE;
            }
            request.label(label.substring(0, eq), label.substring(eq + 1));
        }
        if (platform != null) {
            request.platform(platform);
        }
        for (String secret : secrets) {
            String id = null;
            Path src = null;
            for (String field : secret.split(",")) {
                int eq = field.indexOf('=');
                String key = eq < 0 ? field : field.substring(0, eq);
                String value = eq < 0 ? "" : field.substring(eq + 1);
                switch (key) {
                    case "id" -> id = value;
                    case "src", "source" -> src = Path.of(value);
                    default -> {
                        err.println("wharf build: --secret " + secret + ": use id=ID,src=FILE");
                        return ExitCodes.USAGE;
                    }
                }
            }
            if (id == null || id.isEmpty() || src == null) {
                err.println("wharf build: --secret " + secret + ": use id=ID,src=FILE");
                return ExitCodes.USAGE;
            }
            request.secret(id, src.toAbsolutePath());
        }
        if (!List.of("none", "host", "default").contains(network)) {
            err.println("wharf build: --network must be default, host or none, not " + network);
            return ExitCodes.USAGE;
        }
        request.network(network);
        for (String output : outputs) {
            try {
                request.output(BuildOutput.parse(output));
            } catch (IllegalArgumentException e) {
                err.println("wharf build: --output " + output + ": " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        noCacheFilter.forEach(request::noCacheFilter);
        for (String arg : buildArgs) {
            int eq = arg.indexOf('=');
            if (eq >= 0) {
                request.buildArg(arg.substring(0, eq), arg.substring(eq + 1));
            } else if (System.getenv(arg) != null) {
                request.buildArg(arg, System.getenv(arg));
            }
        }
        try (BuildEngine engine = BuildEngine.create(store.engineOptions())) {
            CompletableFuture<BuildResult> future = engine.build(request.build());
            Thread cancel = new Thread(() -> future.cancel(true));
            Runtime.getRuntime().addShutdownHook(cancel);
            try {
                BuildResult result = future.get();
                if (!progress.equals("quiet")) {
                    err.println("writing image " + result.imageId() + " done");
                    for (String tag : result.tags()) {
                        err.println("naming to " + tag + " done");
                    }
                    err.flush();
                }
                if (iidFile != null) {
                    Files.writeString(iidFile, result.imageId());
                }
                if (metadataFile != null) {
                    Files.writeString(metadataFile, metadata(result));
                }
                out.println(result.imageId());
                out.flush();
                return ExitCodes.OK;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof BuildFailedException failed) {
                    err.println("ERROR: " + failed.getMessage());
                } else if (cause instanceof EngineException engineError) {
                    err.println("wharf build: " + engineError.getMessage());
                } else {
                    throw e;
                }
                return ExitCodes.FAILED;
            } catch (CancellationException e) {
                err.println("wharf build: cancelled");
                return ExitCodes.FAILED;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cancel);
                } catch (IllegalStateException ignored) {
                    // Already shutting down.
                }
            }
        }
    }
}
