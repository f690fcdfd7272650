package dev.wharf.cli;

import dev.wharf.builder.api.BuildContext;
import dev.wharf.grammar.DockerfileLocation;
import dev.wharf.grammar.DockerfileText;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.ExtraHost;
import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.sandbox.Ulimit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
    String cpus;
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
    /** {@code --provenance} and {@code --sbom}: the last value given, null when absent. */
    String provenance;
    String sbom;
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

    /** Cancels the build on a shutdown, and ends the JVM once the command has reported and cleaned up; or null. */
    private InterruptOnShutdown shutdown;

    @Override
    public Integer call() throws Exception {
        BuildModel.read(spec, this);
        try {
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
        } finally {
            // Closed last: during a shutdown its hook halts the JVM as soon as it is closed, and closed in build()
            // it left the secrets read from variables, the tarball spooled for standard output and the empty
            // context in the temporary directory.
            if (shutdown != null) {
                shutdown.close();
            }
        }
    }

    /** The {@code --ssh} agents, read by {@link #readSshAgents} before the build starts. */
    List<Map.Entry<String, List<Path>>> sshAgents = List.of();

    /**
     * Reads the {@code --ssh} values as buildx's CreateSSH opens them (each socket or key file stated, a bare id
     * taking SSH_AUTH_SOCK) into {@link #sshAgents}; the exit code after printing the error when one is refused.
     */
    java.util.OptionalInt readSshAgents(PrintWriter err) {
        List<Map.Entry<String, List<Path>>> agents = new ArrayList<>();
        for (String agent : ssh) {
            int eq = agent.indexOf('=');
            String id = eq < 0 ? agent : agent.substring(0, eq);
            // An empty value is no value: buildx's sshprovider then takes SSH_AUTH_SOCK too.
            boolean noSocket = eq < 0 || eq == agent.length() - 1;
            String value = noSocket ? System.getenv("SSH_AUTH_SOCK")
                    : agent.substring(eq + 1);
            List<Path> paths = new ArrayList<>();
            for (String p : value == null ? new String[0] : value.split(",", -1)) {
                if (p.isEmpty()) {
                    paths.clear();
                    break;
                }
                paths.add(Path.of(p).toAbsolutePath());
                if (!Files.exists(Path.of(p))) {
                    // BuildKit's sshprovider (agentprovider.go, toDialer) stats every path when the build starts,
                    // whether a step mounts the agent or not; buildx prints os.Stat's error alone.
                    err.println("ERROR: stat " + p + ": no such file or directory");
                    return java.util.OptionalInt.of(ExitCodes.FAILED);
                }
            }
            if (!id.isEmpty() && noSocket && paths.isEmpty()) {
                // buildx (sshprovider/agentprovider.go): no socket given and no SSH_AUTH_SOCK, an error of its
                // build: "ERROR: ..." and exit 1.
                err.println("ERROR: invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set");
                return java.util.OptionalInt.of(ExitCodes.FAILED);
            }
            if (id.isEmpty() || paths.isEmpty()) {
                err.println("wharf build: --ssh " + agent + ": use default or ID=SOCKET or ID=KEYFILE[,KEYFILE] "
                        + "(a bare id needs SSH_AUTH_SOCK)");
                return java.util.OptionalInt.of(ExitCodes.USAGE);
            }
            agents.add(Map.entry(id, List.copyOf(paths)));
        }
        sshAgents = List.copyOf(agents);
        return java.util.OptionalInt.empty();
    }

    /**
     * The {@code --platform} values as buildx's platformutil.Parse reads them: comma-separated and repeated values,
     * {@code local} the host's platform, duplicates dropped.
     *
     * @throws IllegalArgumentException with containerd's words for an empty entry
     */
    java.util.Set<String> platforms() {
        java.util.Set<String> platforms = new java.util.LinkedHashSet<>();
        for (String value : platform) {
            for (String p : value.split(",", -1)) {
                if (p.isEmpty()) {
                    // An empty entry (--platform "" or a trailing comma) is containerd's platforms.Parse failing
                    // on "", which buildx prints as is.
                    throw new IllegalArgumentException("\"\" is an invalid OS component of \"\": OSAndVersion "
                            + "specifier component must match \"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.-]*)"
                            + "\\\\))?$\": invalid argument");
                }
                if (!p.equalsIgnoreCase("local")) {
                    platforms.add(p);
                }
            }
        }
        return platforms;
    }

    /** The empty directory that is the context of a Dockerfile given as {@code -}; deleted when the command ends. */
    private Path emptyContext;

    /** pflag's report of a value its flag's type refuses, as buildx prints it: exit code 125. */
    private static int invalidFlagValue(PrintWriter err, String value, String flag, String reason) {
        err.println(CommandLineErrorHandler.invalidArgument(value, flag, reason));
        err.println("See 'wharf build --help'.");
        return ExitCodes.FLAG;
    }

    private Integer build() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // buildx reads the values of the build's flags (toControllerOptions) before it checks the progress mode,
        // and opens its secrets, agents and the rest after it: a command line with several mistakes reports the
        // one buildx reports.
        java.util.OptionalInt refused = BuildFlagOrder.beforeProgress(this, err);
        if (refused.isPresent()) {
            return refused.getAsInt();
        }
        if (quiet && !progress.equals("auto") && !progress.isEmpty() && !progress.equals("quiet")) {
            // buildx's runBuild refuses the pair before it builds.
            err.println("ERROR: progress=" + progress + " and quiet cannot be used together");
            return ExitCodes.FAILED;
        }
        Optional<ProgressMode> mode = quiet ? Optional.of(ProgressMode.QUIET) : ProgressMode.parse(progress);
        if (mode.isEmpty()) {
            // buildx's progress printer (util/progress/printer.go) refuses it when the build starts.
            err.println("ERROR: invalid progress mode " + progress);
            return ExitCodes.FAILED;
        }
        String fromEnvironment = System.getenv("BUILDKIT_PROGRESS");
        if (mode.get() == ProgressMode.AUTO && fromEnvironment != null && !fromEnvironment.isEmpty()) {
            // buildx util/progress/printer.go (NewPrinter): BUILDKIT_PROGRESS replaces an auto --progress.
            mode = ProgressMode.parse(fromEnvironment);
            if (mode.isEmpty()) {
                err.println("ERROR: invalid progress mode " + fromEnvironment);
                return ExitCodes.FAILED;
            }
        }
        if (mode.get() == ProgressMode.TTY && !TerminalSize.stderrIsTerminal()) {
            // BuildKit's progressui.NewDisplay: an explicit tty mode needs a console; only auto falls back to plain.
            // buildx makes the display with the progress mode, before its build checks the outputs and the rest.
            err.println("ERROR: failed to get console: provided file is not a console");
            return ExitCodes.FAILED;
        }
        refused = BuildFlagOrder.afterProgress(this, err);
        if (refused.isPresent()) {
            return refused.getAsInt();
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
                emptyContext = TemporaryFiles.directory("wharf-empty-context-");
            }
        }
        try {
            buildContext = emptyContext != null ? BuildContext.directory(emptyContext)
                    : BuildContext.parse(context, stdin);
        } catch (IllegalArgumentException e) {
            // A context that names nothing is docker's error, not a malformed command line: buildx (and docker
            // 20.10) print "ERROR: unable to prepare context: path ... not found" and exit 1.
            err.println("ERROR: " + e.getMessage());
            return ExitCodes.FAILED;
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
                // buildx (commands/build.go) returns this from its build, not from flag parsing: "ERROR: ..." and 1.
                err.println("ERROR: invalid argument: can't use stdin for both build context and dockerfile");
                return ExitCodes.FAILED;
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
            // BuildFlagOrder checked it; the engine parses it again when it builds.
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
            // buildx's listToMap (commands/build.go): KEY alone is an empty label (BuildFlagOrder refused an
            // empty key).
            int eq = label.indexOf('=');
            request.label(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
        }
        // BuildFlagOrder checked them.
        for (ImageAnnotation a : ImageAnnotation.parseAll(annotations)) {
            request.annotation(a);
        }
        for (String value : platforms()) {
            request.platform(value);
        }
        // BuildFlagOrder refused what buildx's parser and BuildKit's secret store refuse; a file removed since then
        // fails as the store's read would.
        for (String secret : secrets) {
            try {
                secretFlags.add(secret);
            } catch (IllegalArgumentException | IOException e) {
                err.println("ERROR: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
        for (Map.Entry<String, Path> secret : secretFlags.files().entrySet()) {
            request.secret(secret.getKey(), secret.getValue());
        }
        for (Map.Entry<String, List<Path>> agent : sshAgents) {
            request.ssh(agent.getKey(), agent.getValue());
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
        // Values buildx takes as given and its build (or BuildKit's solve) refuses: "ERROR: ..." and exit 1, as
        // buildx returns them from its run function; only flags pflag parses (--ulimit, --shm-size) are usage errors.
        if (!List.of("none", "host", "default").contains(network)) {
            // buildx: `network mode "bogus" not supported by buildkit - you can define a custom network for your
            // builder using the network driver-opt in buildx create`; wharf has no builders to configure.
            err.println("ERROR: network mode \"" + network + "\" not supported by wharf - use default, host or none");
            return ExitCodes.FAILED;
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
                        err.println("ERROR: --allow network.host with --network none: wharf grants RUN "
                                + "--network=host only to builds whose network is default or host");
                        return ExitCodes.FAILED;
                    }
                    // wharf's default network is the host's: granting network.host only lifts the check.
                    network = "host";
                }
                case "security.insecure", "device" -> {
                    err.println("WARNING: wharf cannot grant " + key + "; steps that need it fail");
                    err.flush();
                }
                default -> {
                    // Unknown ones: BuildFlagOrder refused them.
                }
            }
        }
        request.network(network);
        for (String host : addHosts) {
            try {
                request.extraHost(ExtraHost.parse(host));
            } catch (IllegalArgumentException e) {
                // buildx's toBuildkitExtraHosts, in its build, for a value without HOST and IP: "invalid host %s".
                err.println("ERROR: " + (e.getMessage().startsWith("invalid --add-host ") ? "invalid host " + host
                        : e.getMessage()));
                return ExitCodes.FAILED;
            }
        }
        // Their values were checked as picocli read them (FlagValueCheck), in pflag's words and order.
        for (String ulimit : ulimits) {
            request.ulimit(Ulimit.parse(ulimit));
        }
        // 0, as in buildx, leaves the default size.
        if (shmSize != null && FlagValueCheck.bytes(shmSize) > 0) {
            request.shmSize(FlagValueCheck.bytes(shmSize));
        }
        for (String attest : attests) {
            if (!java.util.Arrays.asList(attest.toLowerCase(java.util.Locale.ROOT).split(",")).contains("disabled=true")) {
                err.println("WARNING: wharf makes no provenance or SBOM attestations; --attest " + attest
                        + " is ignored");
            }
        }
        err.flush();
        for (String[] shorthand : new String[][] {{"--provenance", provenance}, {"--sbom", sbom}}) {
            String value = shorthand[1];
            // buildx reads these shorthands' values with strconv.ParseBool: f, F, 0, false ... disable them.
            if (value != null && !value.isEmpty()
                    && !dev.wharf.grammar.go.GoNumbers.parseBool(value).equals(Optional.of(false))) {
                err.println("WARNING: wharf makes no provenance or SBOM attestations; " + shorthand[0] + " "
                        + value + " is ignored");
                err.flush();
            }
        }
        try {
            request.resources(ResourceFlags.parse(memory, cpus, pidsLimit, resources, cpuQuota, cpuPeriod));
        } catch (IllegalArgumentException e) {
            // Limits dockerd refuses when it creates the container (a well-formed value out of range): an error of
            // the build, "ERROR: ..." and exit 1, as buildx prints what its build returns.
            err.println("ERROR: " + e.getMessage());
            return ExitCodes.FAILED;
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
                // buildx parses --output in its build (util/buildflags ParseExports, build/opt.go); an unknown type
                // reaches BuildKit, whose solve has no such exporter.
                boolean unknownType = e.getMessage().startsWith("exporter \"");
                err.println("ERROR: " + (unknownType ? "failed to solve: " : "") + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
        if (push) {
            request.output(BuildOutput.parse("type=registry"));
        }
        Optional<String> cacheError = CacheFlags.problem(cacheFrom, cacheTo);
        if (cacheError.isPresent()) {
            // BuildKit's client and daemon, as the build is solved (buildx's parser's errors came earlier).
            err.println("ERROR: " + cacheError.get());
            return ExitCodes.FAILED;
        }
        try {
            // CacheFlags.problem refused what buildx refuses (empty values are skipped);
            // a list of references is one cache each.
            for (String value : CacheFlags.entries(cacheFrom)) {
                request.cacheFrom(CacheSource.parse(value));
            }
            for (String value : CacheFlags.entries(cacheTo)) {
                request.cacheTo(CacheDestination.parse(value));
            }
        } catch (IllegalArgumentException e) {
            // What buildx and BuildKit accept and wharf does not (gha, s3, digest=, unknown attributes): an error of
            // the build, as buildx's are, not a malformed command line.
            err.println("ERROR: " + e.getMessage());
            return ExitCodes.FAILED;
        }
        for (String stage : noCacheFilter) {
            request.noCacheFilter(stage);
        }
        BuildArgFlags.resolve(buildArgs, System.getenv()).forEach(request::buildArg);
        // BuildFlagOrder checked the value.
        CallFunction method = check ? new CallFunction("lint", "", false) : CallFunction.parse(call);
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
        if (targets) {
            return calls().printTargets(json, out, err);
        }
        // Progress and error display: the printer --progress selects, the failed step's output, the source lines.
        boolean terminal = mode.get() == ProgressMode.AUTO && (System.console() != null
                || (ProgressMode.AUTO.resolve(true, System.getenv()) == ProgressMode.TTY
                        && TerminalSize.stderrIsTerminal()));
        ProgressMode shown = mode.get().resolve(terminal, System.getenv());
        try (BuildEngine engine = BuildEngine.create(store.engineOptions().withRegistry(registry.settings()));
             BuildProgress display = BuildProgress.open(shown, err, System.getenv())) {
            if (method.name().equals("lint")) {
                return calls().check(engine, request.listener(display).build(), display, method.ignoreStatus(), json,
                        out, err);
            }
            if (outline) {
                return calls().outline(engine, request.listener(display).build(), display, json, out, err);
            }
            CompletableFuture<BuildResult> future = engine.build(request
                    .listener(hashedAtStart() ? display : StartupWarmer.hashingOnFirstTransfer(display)).build());
            // On Ctrl-C or SIGTERM: closing the engine cancels the build and keeps the JVM alive until the running
            // step's processes are killed; an exit in between would leave them frozen in their cgroup. Then the
            // hook waits for this thread to report the cancellation and ends the JVM with docker build's status
            // for it, 1 (not 130 or 143, the JVM's for a signal). A signal after the build (while the tarball goes
            // to standard output, say) cancels nothing: the hook then waits for this thread to finish and ends the
            // JVM with the status it reached, since its own System.exit would block behind the running hook.
            InterruptOnShutdown stop = new InterruptOnShutdown(engine::close, REPORT_SECONDS, ExitCodes.FAILED);
            shutdown = stop; // closed by call(), after the engine, the display and the temporary files
            try {
                BuildResult result = future.get();
                ExporterSteps.show(display, result, parsedOutputs, push);
                display.close();
                if (shown == ProgressMode.PLAIN || shown == ProgressMode.TTY) {
                    // A step may have failed without failing the build: an unreadable --cache-from registry.
                    new BuildErrorReport(err).printLogs(display.failedSteps());
                    WarningSummary.print(err, display.warnings(), debug(), dockerfileText());
                }
                // BuildKit's local and tar exporters report no image: with only those outputs, docker build -q
                // prints an empty line and the metadata has no containerimage keys (an --iidfile was refused).
                String imageId = exportsImage ? result.imageId() : "";
                // Written whole or not at all (buildx writes the metadata file through AtomicWriteFile); a
                // missing directory is the user's error, worded as buildx words it (commands/build.go).
                if (iidFile != null && !ResultFiles.write(iidFile, imageId, "image ID file", err)) {
                    return ExitCodes.FAILED;
                }
                String buildRef = BuildRef.next();
                if (metadataFile != null && !ResultFiles.write(metadataFile, exportsImage
                        ? BuildMetadata.json(buildRef, result, store.engineOptions().storeRoot(),
                                BuildMetadata.names(result, parsedOutputs, tags)) : BuildMetadata.json(buildRef),
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
                stop.endWith(ExitCodes.OK);
                return ExitCodes.OK;
            } catch (ExecutionException e) {
                display.close();
                Throwable cause = e.getCause();
                // As docker buildx build: the progress ends with the failed step's output, buildx then lists the
                // warnings, and the CLI prints the error with its Dockerfile lines.
                BuildErrorReport report = new BuildErrorReport(err);
                // The step's output tail is the text displays' (progressui printErrorLogs); quiet, rawjson and
                // none display nothing of the steps, so buildx prints the lines and the reason alone.
                boolean textDisplay = shown == ProgressMode.PLAIN || shown == ProgressMode.TTY;
                if (cause instanceof BuildFailedException && textDisplay) {
                    report.printLogs(display.failedSteps());
                }
                if (textDisplay) {
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
                err.flush(); // the hook ends the JVM once it is closed: no report may stay buffered
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

    /** The {@code --call} methods that build nothing, reading this command's Dockerfile as the error report does. */
    private SubrequestCalls calls() {
        return new SubrequestCalls(file, this::dockerfileText);
    }

    /** The canonical reference with its default tag: {@code docker.io/library/hello:latest}. */
    static String canonical(String tag) {
        return ExporterSteps.reference(tag, true);
    }
}
