package dev.wharf.cli;

import dev.wharf.builder.api.BuildContext;
import dev.wharf.grammar.DockerfileLocation;
import dev.wharf.grammar.DockerfileText;
import dev.wharf.grammar.go.GoPathErrors;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.ExtraHost;
import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.builder.api.BuildOutline;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.CheckReport;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.sandbox.Ulimit;
import java.io.IOException;
import dev.wharf.context.ContextException;
import dev.wharf.context.sources.NamedContext;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wharf build}: builds a Dockerfile into an image of the local store. Its options are declared in
 * {@link BuildModel}, which also reads their parsed values into these fields when the command runs.
 */
final class BuildCommand implements Callable<Integer> {
    /** How long a shutdown waits for the cancelled build's report before the JVM ends with a signal's status. */
    private static final long REPORT_SECONDS = 10;
    String file;
    List<String> tags;
    List<String> buildArgs;
    String target;
    boolean noCache;
    List<String> noCacheFilter;
    String progress;
    boolean quiet;
    List<String> labels;
    List<String> annotations;
    List<String> platform;
    Path metadataFile;
    List<String> outputs;
    List<String> secrets;
    List<String> ssh;
    List<String> securityOpts;
    String network;
    List<String> allow;
    List<String> cacheFrom;
    List<String> cacheTo;
    String memory;
    Double cpus;
    List<String> resources;
    List<String> cpuQuota;
    List<String> cpuPeriod;
    Long pidsLimit;
    boolean explainCache;
    boolean check;
    String call;
    Path iidFile;
    boolean pull;
    boolean push;
    List<String> addHosts;
    List<String> ulimits;
    String shmSize;
    List<String> attestations;
    List<String> attests;
    String isolation;
    boolean squash;
    StoreOptions store;
    RegistryFlags registry;
    List<String> buildContexts;
    String context;
    CommandSpec spec;

    /** The Dockerfile read from standard input ({@code -f -}), kept for the error report. */
    private String stdinDockerfile;

    /**
     * The Dockerfile's text for the error report, when it can be read here: read from standard input, a local file,
     * or the Dockerfile of a directory context (not one inside a tar, URL or git context).
     */
    private Optional<String> dockerfileText() {
        if (stdinDockerfile != null) {
            return Optional.of(stdinDockerfile);
        }
        try {
            // As the engine reads it: a missing Dockerfile is also looked for as "dockerfile", and invalid UTF-8 is
            // replaced (DockerfileText; readString would throw, and the error would lose its source lines).
            Path path = DockerfileLocation.resolve(file != null ? Path.of(file)
                    : Path.of(context).resolve("Dockerfile"));
            return Files.isRegularFile(path)
                    ? Optional.of(DockerfileText.read(path)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The files of {@code --secret} values; those read from variables are deleted when the command ends. */
    private SecretFlags secretFlags;

    /** The -o destinations, checked as buildx checks them; the one that goes to standard output, if any. */
    private OutputDestinations outputDestinations;

    @Override
    public Integer call() throws Exception {
        BuildModel.read(spec, this);
        try (SecretFlags flags = new SecretFlags(System.getenv());
             OutputDestinations destinations = new OutputDestinations(TerminalSize::stdoutIsTerminal)) {
            secretFlags = flags;
            outputDestinations = destinations;
            return build();
        } finally {
            if (emptyContext != null) {
                dev.wharf.layers.layout.FileTrees.delete(emptyContext);
            }
        }
    }

    /** The empty directory that is the context of a Dockerfile given as {@code -}; deleted when the command ends. */
    private Path emptyContext;

    private Integer build() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ProgressMode> mode = quiet ? Optional.of(ProgressMode.QUIET) : ProgressMode.parse(progress);
        if (mode.isEmpty()) {
            err.println("wharf build: --progress must be auto, tty, plain, rawjson, quiet or none, not " + progress);
            return ExitCodes.USAGE;
        }
        String fromEnvironment = System.getenv("BUILDKIT_PROGRESS");
        if (mode.get() == ProgressMode.AUTO && fromEnvironment != null && !fromEnvironment.isEmpty()) {
            // buildx util/progress/printer.go (NewPrinter): BUILDKIT_PROGRESS replaces an auto --progress.
            mode = ProgressMode.parse(fromEnvironment);
            if (mode.isEmpty()) {
                err.println("wharf build: BUILDKIT_PROGRESS must be auto, tty, plain, rawjson, quiet or none, not "
                        + fromEnvironment);
                return ExitCodes.USAGE;
            }
        }
        BuildContext buildContext;
        java.io.InputStream stdin = System.in;
        if ("-".equals(context) && !"-".equals(file)) {
            java.io.BufferedInputStream buffered = new java.io.BufferedInputStream(System.in, 64 * 1024);
            stdin = buffered;
            if (dev.wharf.context.sources.ArchiveFormat.detect(buffered)
                    == dev.wharf.context.sources.ArchiveFormat.NOT_AN_ARCHIVE) {
                if (file != null) {
                    // buildx build/opt.go: standard input that is no archive is a Dockerfile, and so is -f's file.
                    err.println("wharf build: ambiguous Dockerfile source: both stdin and flag correspond to "
                            + "Dockerfiles");
                    return ExitCodes.USAGE;
                }
                // buildx's LoadInputs (and docker 26): standard input that is no archive is the Dockerfile, and the
                // context is an empty directory, so COPY . sees nothing (not a context holding the Dockerfile).
                stdinDockerfile = DockerfileText.read(buffered);
                emptyContext = Files.createTempDirectory("wharf-empty-context-");
            }
        }
        try {
            buildContext = emptyContext != null ? BuildContext.directory(emptyContext)
                    : BuildContext.parse(context, stdin);
        } catch (IllegalArgumentException e) {
            err.println("wharf build: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (buildContext instanceof BuildContext.Directory dir) {
            buildContext = BuildContext.directory(dir.path().toAbsolutePath());
        }
        BuildRequest.Builder request = BuildRequest.builder(buildContext)
                .noCache(noCache)
                .pull(pull)
                .explainCache(explainCache);
        if (emptyContext != null) {
            request.dockerfileText(stdinDockerfile);
        } else if ("-".equals(file)) {
            if (buildContext instanceof BuildContext.Stream) {
                // buildx: "invalid argument: can't use stdin for both build context and dockerfile".
                err.println("wharf build: can't use stdin for both the build context and the Dockerfile");
                return ExitCodes.USAGE;
            }
            stdinDockerfile = DockerfileText.read(System.in);
            request.dockerfileText(stdinDockerfile);
        } else if (file != null) {
            request.dockerfile(buildContext instanceof BuildContext.Directory ? Path.of(file).toAbsolutePath()
                    : Path.of(file));
        }
        Path contextBase = Path.of("").toAbsolutePath();
        request.namedContextBase(contextBase);
        for (String value : buildContexts) {
            try {
                // Checked here for a usage error; the engine parses it again when it builds.
                NamedContext.parse(value, contextBase);
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
        // Loops rather than forEach with a lambda or method reference here: each such site is linked by
        // LambdaMetafactory the first time it runs, even over an empty list, in every fresh JVM.
        for (String tag : tags) {
            request.tag(tag);
        }
        for (String label : labels) {
            // buildx's listToMap (commands/build.go): KEY alone is an empty label; an empty key is refused.
            int eq = label.indexOf('=');
            if (eq == 0 || label.isEmpty()) {
                err.println("wharf build: --label: invalid key-value pair \"" + label + "\": empty key");
                return ExitCodes.USAGE;
            }
            request.label(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
        }
        if (!annotations.isEmpty()) {
            try {
                for (ImageAnnotation a : ImageAnnotation.parseAll(annotations)) {
                    request.annotation(a);
                }
            } catch (IllegalArgumentException e) {
                // buildx commands/build.go wraps its parser's error so.
                err.println("ERROR: parse annotations: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        // buildx util/platformutil/parse.go: comma-separated and repeated values, "local" is the host's platform,
        // duplicates dropped; wharf builds one platform, so one value may remain.
        java.util.Set<String> platforms = new java.util.LinkedHashSet<>();
        for (String value : platform) {
            for (String p : value.split(",", -1)) {
                if (!p.equalsIgnoreCase("local")) {
                    platforms.add(p);
                }
            }
        }
        if (platforms.size() > 1) {
            err.println("ERROR: wharf builds for this host's platform only; a multi-platform build ("
                    + String.join(",", platforms) + ") is not supported");
            return ExitCodes.FAILED;
        }
        for (String value : platforms) {
            request.platform(value);
        }
        try {
            for (String secret : secrets) {
                secretFlags.add(secret);
            }
        } catch (IllegalArgumentException e) {
            err.println("wharf build: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        for (Map.Entry<String, Path> secret : secretFlags.files().entrySet()) {
            request.secret(secret.getKey(), secret.getValue());
        }
        for (String agent : ssh) {
            int eq = agent.indexOf('=');
            String id = eq < 0 ? agent : agent.substring(0, eq);
            String value = eq < 0 ? System.getenv("SSH_AUTH_SOCK") : agent.substring(eq + 1);
            List<Path> paths = new ArrayList<>();
            for (String p : value == null ? new String[0] : value.split(",", -1)) {
                if (p.isEmpty()) {
                    paths.clear();
                    break;
                }
                paths.add(Path.of(p).toAbsolutePath());
                if (!Files.exists(Path.of(p))) {
                    // BuildKit's sshprovider (agentprovider.go, toDialer) stats every path when the build starts,
                    // whether a step mounts the agent or not.
                    err.println("ERROR: --ssh " + agent + ": stat " + p + ": no such file or directory");
                    return ExitCodes.FAILED;
                }
            }
            if (!id.isEmpty() && eq < 0 && paths.isEmpty()) {
                // buildx (sshprovider/agentprovider.go, toDialer): no socket given and no SSH_AUTH_SOCK.
                err.println("wharf build: --ssh " + agent + ": invalid empty ssh agent socket: make sure "
                        + "SSH_AUTH_SOCK is set");
                return ExitCodes.USAGE;
            }
            if (id.isEmpty() || paths.isEmpty()) {
                err.println("wharf build: --ssh " + agent + ": use default or ID=SOCKET or ID=KEYFILE[,KEYFILE] "
                        + "(a bare id needs SSH_AUTH_SOCK)");
                return ExitCodes.USAGE;
            }
            request.ssh(id, paths);
        }
        for (String opt : securityOpts) {
            switch (opt) {
                case "seccomp=unconfined" -> request.seccomp(false);
                case "seccomp=default" -> request.seccomp(true);
                default -> {
                    err.println("wharf build: --security-opt " + opt + ": only seccomp=unconfined and "
                            + "seccomp=default are supported");
                    return ExitCodes.USAGE;
                }
            }
        }
        if (!List.of("none", "host", "default").contains(network)) {
            err.println("wharf build: --network must be default, host or none, not " + network);
            return ExitCodes.USAGE;
        }
        for (String entitlement : allow) {
            // buildx util/buildflags/entitlements.go and BuildKit util/entitlements/entitlements.go Parse.
            String key = entitlement.contains("=") ? entitlement.substring(0, entitlement.indexOf('=')) : entitlement;
            switch (key) {
                case "" -> {
                    // buildx skips empty values.
                }
                case "network.host" -> {
                    if (network.equals("none")) {
                        err.println("wharf build: --allow network.host with --network none: wharf grants RUN "
                                + "--network=host only to builds whose network is default or host");
                        return ExitCodes.USAGE;
                    }
                    // wharf's default network is the host's: granting network.host only lifts the check.
                    network = "host";
                }
                case "buildx.local.delete" -> {
                    if (!key.equals(entitlement)) {
                        err.println("wharf build: --allow: buildx.local.delete does not accept a value");
                        return ExitCodes.USAGE;
                    }
                }
                case "security.insecure", "device" -> {
                    err.println("WARNING: wharf cannot grant " + key + "; steps that need it fail");
                    err.flush();
                }
                default -> {
                    err.println("wharf build: --allow: unknown entitlement " + entitlement);
                    return ExitCodes.USAGE;
                }
            }
        }
        request.network(network);
        try {
            for (String host : addHosts) {
                request.extraHost(ExtraHost.parse(host));
            }
            for (String ulimit : ulimits) {
                request.ulimit(Ulimit.parse(ulimit));
            }
            if (shmSize != null) {
                try {
                    request.shmSize(ByteSizes.parse(shmSize));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--shm-size: " + e.getMessage(), e);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("wharf build: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        // buildx's hidden legacy flags warn when given (commands/build.go, checkWarnedFlags with their flag-warn
        // annotations); --compress says nothing.
        if (isolation != null) {
            err.println("WARNING: isolation flag is deprecated with BuildKit.");
        }
        if (squash) {
            err.println("WARNING: experimental flag squash is removed with BuildKit. You should squash inside build "
                    + "using a multi-stage Dockerfile for efficiency.");
        }
        for (String attest : attests) {
            if (!java.util.Arrays.asList(attest.toLowerCase(java.util.Locale.ROOT).split(",")).contains("disabled=true")) {
                err.println("WARNING: wharf makes no provenance or SBOM attestations; --attest " + attest
                        + " is ignored");
            }
        }
        err.flush();
        for (String attestation : attestations) {
            if (!List.of("false", "0", "").contains(attestation.toLowerCase(java.util.Locale.ROOT))) {
                err.println("WARNING: wharf makes no provenance or SBOM attestations; --provenance/--sbom "
                        + attestation + " is ignored");
                err.flush();
            }
        }
        try {
            request.resources(ResourceFlags.parse(memory, cpus, pidsLimit, resources, cpuQuota, cpuPeriod));
        } catch (IllegalArgumentException e) {
            err.println("wharf build: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        boolean exportsImage = outputs.isEmpty() || push;
        List<BuildOutput> parsedOutputs = new ArrayList<>();
        for (String output : outputs) {
            try {
                BuildOutput parsed = BuildOutput.parse(outputDestinations.prepare(output));
                exportsImage |= !parsed.type().equals("local") && !parsed.type().equals("tar");
                request.output(parsed);
                parsedOutputs.add(parsed);
            } catch (IllegalArgumentException e) {
                err.println("wharf build: --output " + output + ": " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        if (push) {
            request.output(BuildOutput.parse("type=registry"));
        }
        try {
            // buildx drops empty entries (util/buildflags/cache.go ParseCacheEntry): --cache-to "" (a CI variable
            // left unset) builds without exporting the cache instead of failing as a malformed value.
            for (String value : cacheFrom) {
                if (!value.isEmpty()) {
                    request.cacheFrom(CacheSource.parse(value));
                }
            }
            for (String value : cacheTo) {
                if (!value.isEmpty()) {
                    request.cacheTo(CacheDestination.parse(value));
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("wharf build: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        for (String stage : noCacheFilter) {
            request.noCacheFilter(stage);
        }
        for (String arg : buildArgs) {
            int eq = arg.indexOf('=');
            if (eq == 0 || arg.isEmpty()) {
                err.println("wharf build: --build-arg: invalid key-value pair \"" + arg + "\": empty key");
                return ExitCodes.USAGE;
            }
            if (eq >= 0) {
                request.buildArg(arg.substring(0, eq), arg.substring(eq + 1));
            } else if (System.getenv(arg) != null) {
                request.buildArg(arg, System.getenv(arg));
            }
        }
        CallFunction method;
        try {
            method = check ? new CallFunction("lint", "", false) : CallFunction.parse(call);
        } catch (IllegalArgumentException e) {
            err.println("wharf build: --call " + call + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        boolean targets = method.name().equals("targets");
        boolean outline = method.name().equals("outline");
        if (!method.isBuild() && !method.name().equals("lint") && !targets && !outline) {
            // The methods wharf lacks fail as BuildKit answers an unknown subrequest (frontend/dockerui/requests.go).
            err.println("ERROR: unsupported request frontend." + method.name());
            return ExitCodes.FAILED;
        }
        // buildx prints result.json for format=json and the text for any other format (commands/build.go
        // printValue).
        boolean json = method.format().equals("json");
        // buildx's runBuild removes the image ID file before it builds ("Avoid leaving a stale file if we eventually
        // fail"): a failed build leaves none, so a script cannot read the id of an earlier build as this one's.
        if (iidFile != null && !removeStaleResultFile(iidFile, err)) {
            return ExitCodes.FAILED;
        }
        if (targets) {
            return printTargets(json, out, err);
        }
        // Progress and error display: the printer --progress selects, the failed step's output, the source lines.
        boolean terminal = mode.get() == ProgressMode.AUTO && (System.console() != null
                || (ProgressMode.AUTO.resolve(true, System.getenv()) == ProgressMode.TTY
                        && TerminalSize.stderrIsTerminal()));
        ProgressMode shown = mode.get().resolve(terminal, System.getenv());
        if (shown == ProgressMode.TTY && mode.get() == ProgressMode.TTY && !TerminalSize.stderrIsTerminal()) {
            // BuildKit's progressui.NewDisplay: an explicit tty mode needs a console; only auto falls back to plain.
            err.println("ERROR: failed to get console: provided file is not a console");
            return ExitCodes.FAILED;
        }
        try (BuildEngine engine = BuildEngine.create(store.engineOptions().withRegistry(registry.settings()));
             BuildProgress display = BuildProgress.open(shown, err, System.getenv())) {
            if (method.name().equals("lint")) {
                return check(engine, request.listener(display).build(), display, method.ignoreStatus(), json, out,
                        err);
            }
            if (outline) {
                return outline(engine, request.listener(display).build(), display, json, out, err);
            }
            CompletableFuture<BuildResult> future = engine.build(request
                    .listener(hashedAtStart() ? display : StartupWarmer.hashingOnFirstTransfer(display)).build());
            // On Ctrl-C or SIGTERM: closing the engine cancels the build and keeps the JVM alive until the running
            // step's processes are killed; an exit in between would leave them frozen in their cgroup. Then the
            // hook waits for this thread to report the cancellation and ends the JVM with docker build's status
            // for it, 1 (not 130 or 143, the JVM's for a signal). A signal after the build (while the tarball goes
            // to standard output, say) cancels nothing: the hook then waits for this thread to finish and ends the
            // JVM with the status it reached, since its own System.exit would block behind the running hook.
            CountDownLatch reported = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger status =
                    new java.util.concurrent.atomic.AtomicInteger(ExitCodes.FAILED);
            try (ShutdownAction cancel = new ShutdownAction(() -> {
                engine.close();
                try {
                    if (reported.await(REPORT_SECONDS, TimeUnit.SECONDS)) {
                        err.flush();
                        System.out.flush();
                        Runtime.getRuntime().halt(status.get());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })) {
                BuildResult result = future.get();
                showExporters(display, result, parsedOutputs);
                display.close();
                if (shown == ProgressMode.PLAIN || shown == ProgressMode.TTY) {
                    WarningSummary.print(err, display.warnings(), debug(), dockerfileText());
                }
                // BuildKit's local and tar exporters report no image: with only those outputs, docker build -q
                // prints an empty line, the iidfile is empty and the metadata has no containerimage keys.
                String imageId = exportsImage ? result.imageId() : "";
                // Written whole or not at all (buildx writes the metadata file through AtomicWriteFile); a
                // missing directory is the user's error, worded as buildx words it (commands/build.go).
                if (iidFile != null && !writeResultFile(iidFile, imageId, "image ID file", err)) {
                    return ExitCodes.FAILED;
                }
                if (metadataFile != null && !writeResultFile(metadataFile, exportsImage
                        ? BuildMetadata.json(result, store.engineOptions().storeRoot()) : "{}",
                        "metadata file", err)) {
                    return ExitCodes.FAILED;
                }
                if (outputDestinations.used()) {
                    // The tarball is standard output: no image id after it (buildx -q would print an empty line).
                    out.flush();
                    outputDestinations.copyTo(System.out);
                } else if (shown != ProgressMode.NONE) {
                    out.println(imageId);
                    out.flush();
                }
                status.set(ExitCodes.OK);
                return ExitCodes.OK;
            } catch (ExecutionException e) {
                display.close();
                Throwable cause = e.getCause();
                // As docker buildx build: the progress ends with the failed step's output, buildx then lists the
                // warnings, and the CLI prints the error with its Dockerfile lines.
                BuildErrorReport report = new BuildErrorReport(err);
                if (cause instanceof BuildFailedException) {
                    report.printLogs(display.failedStep());
                }
                if (shown == ProgressMode.PLAIN || shown == ProgressMode.TTY) {
                    WarningSummary.print(err, display.warnings(), debug(), dockerfileText());
                }
                if (cause instanceof BuildFailedException failed) {
                    report.printReason(failed, dockerfileText());
                } else if (cause instanceof EngineException engineError) {
                    // buildx prints every error of a build as "ERROR: ..." (cmd/buildx/main.go).
                    err.println("ERROR: " + engineError.getMessage());
                } else {
                    throw e;
                }
                return ExitCodes.FAILED;
            } catch (CancellationException e) {
                // The cancelled job may still be stopping its step (and reporting it): wait for it, so that the
                // error comes last, after the step's CANCELED line, as buildx prints it (a context cancelled by
                // Ctrl-C fails the solve with gRPC's Canceled status).
                engine.close();
                display.close();
                err.println("ERROR: failed to solve: Canceled: context canceled");
                err.flush();
                return ExitCodes.FAILED;
            } finally {
                reported.countDown();
            }
        }
    }

    /**
     * Whether the start-up warm-up hashed ahead for this command line ({@code --no-cache}, {@code --pull}), so that
     * the build need not start the same SHA-256 warm-up again at its first transfer.
     */
    private boolean hashedAtStart() {
        var parsed = spec.root().commandLine().getParseResult();
        return parsed != null && StartupWarmer.hashesAtStart(parsed.originalArgs().toArray(new String[0]));
    }

    /** Whether {@code --debug} was given (before or after {@code build}): buildx then expands the warnings. */
    private boolean debug() {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            var parsed = s.commandLine().getParseResult();
            if (parsed != null && parsed.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exporters' vertexes as BuildKit names them: moby's image exporter for the image (exporter/mobyexporter:
     * "exporting to image"), then one per {@code -o} output of another type (exporter/local, tar and oci:
     * "exporting to client directory", "exporting to client tarball", "exporting to oci|docker image format").
     */
    private void showExporters(BuildProgress display, BuildResult result, List<BuildOutput> parsedOutputs) {
        boolean imageExporter = parsedOutputs.isEmpty() || push || parsedOutputs.stream()
                .map(BuildOutput::type).anyMatch(t -> t.equals("image") || t.equals("registry"));
        if (imageExporter) {
            List<String> statuses = new ArrayList<>(List.of("exporting layers", "writing image " + result.imageId()));
            for (String tag : result.tags()) {
                statuses.add("naming to " + canonical(tag));
            }
            display.exported("exporting to image", statuses);
        }
        for (BuildOutput output : parsedOutputs) {
            switch (output.type()) {
                case "local" -> display.exported("exporting to client directory", List.of("copying files"));
                case "tar" -> display.exported("exporting to client tarball", List.of("sending tarball"));
                case "oci", "docker" -> display.exported("exporting to " + output.type()
                        + " image format", List.of("exporting layers", "exporting manifest " + result.imageDigest(),
                        "exporting config " + result.imageId(), "sending tarball"));
                default -> {
                    // image and registry: the image exporter above.
                }
            }
        }
    }

    /** Removes an earlier build's {@code --iidfile}; false, after saying why in buildx's words, when it cannot. */
    private static boolean removeStaleResultFile(Path file, PrintWriter err) {
        try {
            Files.deleteIfExists(file);
            return true;
        } catch (IOException e) {
            err.println("ERROR: removing image ID file: " + GoPathErrors.message("remove", file.toString(), e));
            err.flush();
            return false;
        }
    }

    /** Writes {@code --iidfile} or {@code --metadata-file}; false, after saying why, when it cannot be written. */
    private static boolean writeResultFile(Path file, String content, String what, PrintWriter err) {
        Path target = file.toAbsolutePath();
        try {
            dev.wharf.layers.layout.AtomicFiles.replaceShared(target, content.getBytes(StandardCharsets.UTF_8),
                    target.getParent());
            return true;
        } catch (IOException e) {
            err.println("ERROR: writing " + what + ": " + GoPathErrors.message("open", file.toString(), e));
            return false;
        }
    }

    /**
     * {@code --call=targets}, which builds nothing and needs no engine: lists the stages (BuildKit's
     * frontend.targets subrequest).
     */
    private int printTargets(boolean json, PrintWriter out, PrintWriter err) {
        return withDockerfile("targets", err, (name, dockerfile) -> {
            if (json) {
                printJson(out, SubrequestJson.targets(dockerfile, dockerfileBytes()));
            } else {
                new TargetsPrinter(out).print(dockerfile);
            }
        });
    }

    /** A subrequest's result.json, as buildx prints it (fmt.Fprintln). */
    private static void printJson(PrintWriter out, String json) {
        out.println(json);
        out.flush();
    }

    /** The Dockerfile as BuildKit's subrequests carry it in {@code sources}: its bytes ("" when unreadable). */
    private byte[] dockerfileBytes() {
        return dockerfileText().orElse("").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code --call=outline}: what the target takes (BuildKit's frontend.outline subrequest), which builds nothing
     * but, as BuildKit, resolves the base images of the stages the target needs, whose environments ARG defaults
     * read; errors are reported as a build's.
     */
    private int outline(BuildEngine engine, BuildRequest request, BuildProgress display, boolean json,
                        PrintWriter out, PrintWriter err) throws InterruptedException {
        try {
            BuildOutline outline = engine.outline(request).get();
            display.close();
            if (json) {
                printJson(out, SubrequestJson.outline(outline,
                        outline.source().getBytes(StandardCharsets.UTF_8)));
            } else {
                new OutlinePrinter(out).print(outline);
            }
            return ExitCodes.OK;
        } catch (ExecutionException e) {
            return planningFailed(e, display, "ERROR: ", err);
        }
    }

    /**
     * Reports why a {@code --call} that plans but builds nothing failed: a planning error with its Dockerfile
     * lines, as a build's; anything else after {@code prefix}.
     */
    private int planningFailed(ExecutionException e, BuildProgress display, String prefix, PrintWriter err) {
        display.close();
        if (e.getCause() instanceof BuildFailedException failed) {
            new BuildErrorReport(err).print(failed, display.failedStep(), dockerfileText());
        } else {
            err.println(prefix + e.getCause().getMessage());
        }
        return ExitCodes.FAILED;
    }

    /** What a {@code --call} method that reads the Dockerfile alone does with it. */
    private interface DockerfileCall {
        void run(String name, dev.wharf.grammar.instructions.Dockerfile dockerfile)
                throws dev.wharf.grammar.DockerfileException;
    }

    /**
     * Runs {@code call} on the Dockerfile read here (of a directory context, {@code -f FILE} or {@code -f -});
     * a syntax error is printed with its lines, as a build prints it.
     */
    private int withDockerfile(String method, PrintWriter err, DockerfileCall call) {
        Optional<String> text = dockerfileText();
        if (text.isEmpty()) {
            err.println("wharf build: --call=" + method + " reads the Dockerfile of a directory context, -f FILE or "
                    + "-f -; it cannot read it from this context");
            return ExitCodes.USAGE;
        }
        String name = file == null || file.equals("-") ? "Dockerfile" : Path.of(file).getFileName().toString();
        try {
            call.run(name, dev.wharf.grammar.instructions.DockerfileReader.read(name,
                    dev.wharf.grammar.parser.DockerfileParser.parse(name, text.get())));
            return ExitCodes.OK;
        } catch (dev.wharf.grammar.DockerfileException e) {
            new SourceErrorPrinter(err).print(e, text.get());
            return ExitCodes.FAILED;
        }
    }

    /**
     * {@code --check}: the checks' report on standard output, as buildx prints {@code --call=check}; with
     * {@code ignoreStatus} (ignorestatus=true) findings exit 0 as in buildx, but an error stays an error.
     */
    private int check(BuildEngine engine, BuildRequest request, BuildProgress display, boolean ignoreStatus,
                      boolean json, PrintWriter out, PrintWriter err) throws InterruptedException {
        try {
            CheckReport report = engine.check(request).get();
            display.close();
            Optional<String> text = dockerfileText(); // read once: the JSON carries it and the error shows it
            int code = json ? new CheckPrinter(out, err).printJson(report, text,
                    SubrequestJson.lint(report, text.orElse("").getBytes(StandardCharsets.UTF_8)))
                    : new CheckPrinter(out, err).print(report, text);
            return ignoreStatus && code == ExitCodes.FAILED && report.error().isEmpty() ? ExitCodes.OK : code;
        } catch (ExecutionException e) {
            return planningFailed(e, display, "wharf build: ", err);
        }
    }

    /** BuildKit's exporter line names the canonical reference: {@code docker.io/library/hello:latest}. */
    static String canonical(String tag) {
        try {
            return dev.wharf.layers.registry.ImageReference.parse(tag).withDefaultTag().toString();
        } catch (dev.wharf.layers.registry.InvalidReferenceException e) {
            return tag;
        }
    }
}
