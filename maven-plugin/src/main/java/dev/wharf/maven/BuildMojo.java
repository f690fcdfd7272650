package dev.wharf.maven;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.builder.api.OutputCompression;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.sandbox.ResourceLimits;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * The {@code wharf:build} goal: builds the project's Dockerfile into an image of the local wharf store, logging
 * progress to the Maven log, and exposes the image's digest as the project property {@value #DIGEST_PROPERTY} and in
 * {@code target/wharf/digest} (the image id goes to {@value #ID_PROPERTY} and {@code target/wharf/id}).
 *
 * <p>Every parameter can also be given as a {@code -Dwharf.*} property, e.g. {@code -Dwharf.tags=app:1,app:latest}
 * or {@code -Dwharf.buildArgs=VERSION=1.2,MODE=release}. A failed step fails the build with the step, its Dockerfile
 * line, its exit code and its last output lines.
 *
 * <p>A mojo instance is used for one execution by one thread, as Maven does; it holds no static state.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class BuildMojo extends CompressionParameters {
    /** The project property that receives the built image's manifest digest. */
    public static final String DIGEST_PROPERTY = "wharf.image.digest";
    /** The project property that receives the built image's id (its config digest). */
    public static final String ID_PROPERTY = "wharf.image.id";

    /** The Dockerfile; by default {@code Dockerfile} in the context directory. */
    @Parameter(property = "wharf.dockerfile")
    File dockerfile;

    /** The build context: the directory COPY and ADD read from. */
    @Parameter(property = "wharf.contextDirectory", defaultValue = "${project.basedir}", required = true)
    File contextDirectory;

    /** Names to tag the image with, {@code name[:tag]}; on the command line, separated by commas. */
    @Parameter(property = "wharf.tags")
    List<String> tags = new ArrayList<>();

    /**
     * Build args ({@code ARG} values) by name. On the command line: {@code -Dwharf.buildArgs=NAME=value,NAME2=value2},
     * which overrides the POM's values of the same names.
     */
    @Parameter
    Map<String, String> buildArgs = new LinkedHashMap<>();

    /**
     * Labels added to the image's config. On the command line: {@code -Dwharf.labels=NAME=value,NAME2=value2},
     * which overrides the POM's values of the same names.
     */
    @Parameter
    Map<String, String> labels = new LinkedHashMap<>();

    /**
     * Annotations of the image, as {@code docker buildx build --annotation}: each key is {@code [TYPE:]KEY}, TYPE
     * being {@code manifest} (the default: the image's manifest), {@code manifest-descriptor} (its entry in the
     * index of {@code <outputDirectory>} and {@code <outputTar>}), or a comma-separated list of them, each optionally
     * with {@code [OS/ARCH]}; {@code index} types fail, as for BuildKit's single-platform images. In the POM:
     * {@code <annotations><org.opencontainers.image.title>app</org.opencontainers.image.title></annotations>}; on
     * the command line: {@code -Dwharf.annotations=KEY=value,manifest-descriptor:KEY2=value2}, which overrides the
     * POM's values of the same keys.
     */
    @Parameter
    Map<String, String> annotations = new LinkedHashMap<>();

    /**
     * Named contexts by name, as {@code docker buildx build --build-context NAME=VALUE}: what {@code FROM NAME},
     * {@code COPY --from=NAME} and {@code RUN --mount=from=NAME} use instead of a stage or image of that name; a
     * directory, {@code docker-image://REF}, {@code oci-layout://DIR[:TAG]} (directories relative to the project's),
     * a git or an http(s) URL. On the command line: {@code -Dwharf.buildContexts=NAME=VALUE,NAME2=VALUE2}, which
     * overrides the POM's values of the same names.
     */
    @Parameter
    Map<String, String> buildContexts = new LinkedHashMap<>();

    /** The stage to build; by default the last one. */
    @Parameter(property = "wharf.target")
    String target;

    /** Build every step again instead of taking results from the cache (results are still cached). */
    @Parameter(property = "wharf.noCache", defaultValue = "false")
    boolean noCache;

    /**
     * The platform to build for, {@code os/arch[/variant]}; wharf builds for the host's platform only, so another
     * one fails the build. By default the host's.
     */
    @Parameter(property = "wharf.platform")
    String platform;

    /**
     * Also writes the image as an OCI image layout into this directory (what skopeo, crane or {@code docker load}
     * via skopeo read), besides tagging it into the store.
     */
    @Parameter(property = "wharf.outputDirectory")
    File outputDirectory;

    /**
     * Also writes the image as a {@code docker load} tarball to this file (Docker's {@code manifest.json} plus an
     * OCI layout), besides tagging it into the store.
     */
    @Parameter(property = "wharf.outputTar")
    File outputTar;

    /**
     * Secrets by id: files that {@code RUN --mount=type=secret,id=ID} reads, never stored in a layer or a cache
     * key; relative paths are relative to the project's directory. On the command line:
     * {@code -Dwharf.secrets=ID=FILE,ID2=FILE2}, which overrides the POM's values of the same ids.
     */
    @Parameter
    Map<String, String> secrets = new LinkedHashMap<>();

    /**
     * The network of RUN steps that do not choose one with {@code --network}: {@code default} (the host's network,
     * as {@code docker build} gives RUN a network), {@code host} or {@code none} (only loopback).
     */
    @Parameter(property = "wharf.network", defaultValue = "default")
    String network;

    /** Memory limit of each RUN step, swap included ({@code 512m}, {@code 2g}), as {@code docker build --memory}. */
    @Parameter(property = "wharf.memory")
    String memory;

    /** CPU time each RUN step may use, in CPUs ({@code 0.5}), as {@code docker build --cpus}. */
    @Parameter(property = "wharf.cpus")
    Double cpus;

    /** Most processes and threads a RUN step may have at once, as {@code docker build --pids-limit}. */
    @Parameter(property = "wharf.pidsLimit")
    Long pidsLimit;

    /**
     * Lines added to RUN steps' {@code /etc/hosts}, as {@code docker build --add-host HOST:IP}
     * ({@code -Dwharf.addHosts=db:10.0.0.5,cache:10.0.0.6}).
     */
    @Parameter(property = "wharf.addHosts")
    List<String> addHosts = new ArrayList<>();

    /** Resource limits of RUN steps, as {@code docker build --ulimit nofile=1024:4096} ({@code -Dwharf.ulimits}). */
    @Parameter(property = "wharf.ulimits")
    List<String> ulimits = new ArrayList<>();

    /** Size of RUN steps' {@code /dev/shm} ({@code 128m}), as {@code docker build --shm-size}; 64 MiB by default. */
    @Parameter(property = "wharf.shmSize")
    String shmSize;

    /** Logs, for every step that ran, which of its inputs changed since its last build (why the cache missed). */
    @Parameter(property = "wharf.explainCache", defaultValue = "false")
    boolean explainCache;

    /** Stages (by name) whose steps are built again instead of taken from the cache. */
    @Parameter(property = "wharf.noCacheFilter")
    List<String> noCacheFilter = new ArrayList<>();

    /**
     * Build caches to import, in docker's {@code --cache-from} syntax ({@code type=registry,ref=NAME} or
     * {@code type=local,src=DIR}); several are separated by {@code ;} or line breaks, since each value holds commas.
     * A cache that cannot be read is a warning. Also {@code -Dwharf.cacheFrom}.
     */
    @Parameter(property = "wharf.cacheFrom")
    String cacheFrom;

    /**
     * Where to export the build cache, in docker's {@code --cache-to} syntax
     * ({@code type=registry,ref=NAME[,mode=max]} or {@code type=local,dest=DIR}); several are separated by
     * {@code ;} or line breaks. Also {@code -Dwharf.cacheTo}.
     */
    @Parameter(property = "wharf.cacheTo")
    String cacheTo;

    /**
     * Seconds since 1970 that the image's timestamps are clamped to ({@code SOURCE_DATE_EPOCH}); by default taken
     * from {@code project.build.outputTimestamp}, Maven's reproducible-build setting, when the project has one.
     */
    @Parameter(property = "wharf.sourceDateEpoch")
    Long sourceDateEpoch;

    @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
    String outputTimestamp;

    /** Skips the goal. */
    @Parameter(property = "wharf.skip", defaultValue = "false")
    boolean skip;

    /**
     * Also pushes the image to the registries of its tags (like {@code docker buildx build --push}); credentials
     * come from {@code settings.xml} {@code <server>}s whose id is the registry host, else Docker's config.
     */
    @Parameter(property = "wharf.push", defaultValue = "false")
    boolean push;

    /** Looks up every base image in its registry again, even when the store has its tag ({@code --pull}). */
    @Parameter(property = "wharf.pull", defaultValue = "false")
    boolean pull;

    /** Registries ({@code host[:port]}) reached over plain HTTP; loopback registries always may be. */
    @Parameter(property = "wharf.insecureRegistries")
    List<String> insecureRegistries = new ArrayList<>();

    @Component
    SettingsDecrypter decrypter;

    /**
     * The wharf store the image is built into; by default {@code $WHARF_ROOT}, else {@code $XDG_DATA_HOME/wharf},
     * else {@code ~/.local/share/wharf}, as for the {@code wharf} command.
     */
    @Parameter(property = "wharf.storeRoot")
    File storeRoot;

    /** The sandbox runtime for RUN steps: {@code auto}, {@code runc}, {@code crun} or {@code builtin}. */
    @Parameter(property = "wharf.runtime", defaultValue = "auto")
    String runtime;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    /** Makes the engine; tests replace it with a fake. */
    Function<EngineOptions, BuildEngine> engines = BuildEngine::create;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping wharf:build (wharf.skip)");
            return;
        }
        MavenProgress progress = new MavenProgress(getLog());
        BuildRequest request = request(progress);
        EngineOptions options = EngineOptions.of(storeRoot()).withRuntime(runtime)
                .withRegistry(PushMojo.registrySettings(session, decrypter, insecureRegistries));
        getLog().info("Building " + describe(request) + " into the store " + options.storeRoot());
        BuildResult result;
        try (BuildEngine engine = engines.apply(options)) {
            // Maven killed (Ctrl-C, a CI job's timeout): closing the engine cancels the build and waits until its
            // RUN's processes are killed and its cgroup and mounts removed, which a JVM exit would cut short.
            Thread stop = new Thread(engine::close, "wharf-shutdown");
            Runtime.getRuntime().addShutdownHook(stop);
            try {
                result = await(engine.build(request), progress);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                } catch (IllegalStateException shuttingDown) {
                    // The hook runs now.
                }
            }
        }
        publish(result);
    }

    private BuildRequest request(MavenProgress progress) throws MojoFailureException {
        Path context = contextDirectory.toPath();
        if (!Files.isDirectory(context)) {
            throw new MojoFailureException("The context directory " + context + " does not exist; set"
                    + " <contextDirectory> or -Dwharf.contextDirectory to the directory the Dockerfile's COPY reads"
                    + " from.");
        }
        Path file = dockerfile == null ? context.resolve("Dockerfile") : dockerfile.toPath();
        if (!Files.isRegularFile(file)) {
            throw new MojoFailureException("The Dockerfile " + file + " does not exist; set <dockerfile> or"
                    + " -Dwharf.dockerfile to its path.");
        }
        BuildRequest.Builder b = BuildRequest.builder(context).dockerfile(file)
                .buildArgs(map(buildArgs, MapProperty.BUILD_ARGS)).target(target).noCache(noCache)
                .explainCache(explainCache).platform(platform).listener(progress);
        map(labels, MapProperty.LABELS).forEach(b::label);
        try {
            for (Map.Entry<String, String> a : map(annotations, MapProperty.ANNOTATIONS).entrySet()) {
                // An empty element (<key/>) maps to null: an empty value, as --annotation key= gives, not "null".
                String value = a.getValue() == null ? "" : a.getValue();
                ImageAnnotation.parse(a.getKey() + "=" + value).forEach(b::annotation);
            }
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("<annotations>: " + e.getMessage(), e);
        }
        if (outputDirectory != null || outputTar != null) {
            // An explicit output replaces the default "tag into the store"; keep it, as without these parameters.
            b.output(new BuildOutput("image", Optional.empty()));
        }
        OutputCompression layers = layerCompression();
        if (outputDirectory != null) {
            b.output(new BuildOutput("oci", Optional.of(outputDirectory.toPath())).withCompression(layers));
        }
        if (outputTar != null) {
            b.output(new BuildOutput("docker", Optional.of(outputTar.toPath())).withCompression(layers));
        }
        if (push) {
            b.output(new BuildOutput("registry", Optional.empty()).withCompression(layers));
        }
        b.pull(pull);
        // Relative directories (and oci-layout:// ones) are the project's, not Maven's working directory's; the
        // engine classifies each value as the CLI's --build-context does.
        b.namedContextBase(project.getBasedir() == null ? Path.of("").toAbsolutePath()
                : project.getBasedir().toPath());
        map(buildContexts, MapProperty.BUILD_CONTEXTS).forEach(b::namedContext);
        for (Map.Entry<String, String> secret : map(secrets, MapProperty.SECRETS).entrySet()) {
            b.secret(secret.getKey(), secretFile(secret.getKey(), secret.getValue()));
        }
        if (network != null && !network.isBlank()) {
            if (!network.equals("default") && !network.equals("none") && !network.equals("host")) {
                throw new MojoFailureException("network must be default, host or none, not '" + network
                        + "'; set <network>"
                        + " or -Dwharf.network");
            }
            b.network(network);
        }
        for (String stage : nonBlank(noCacheFilter)) {
            b.noCacheFilter(stage);
        }
        try {
            cacheSpecs(cacheFrom).forEach(value -> b.cacheFrom(CacheSource.parse(value)));
            cacheSpecs(cacheTo).forEach(value -> b.cacheTo(CacheDestination.parse(value)));
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage() + "; set <cacheFrom>/<cacheTo> or -Dwharf.cacheFrom/"
                    + "-Dwharf.cacheTo in docker's syntax, e.g. type=registry,ref=registry.example/app:cache", e);
        }
        try {
            ResourceLimits limits = ResourceLimits.none();
            if (memory != null && !memory.isBlank()) {
                limits = limits.withMemory(ResourceLimits.parseSize(memory));
            }
            if (cpus != null) {
                limits = limits.withCpus(cpus);
            }
            if (pidsLimit != null) {
                limits = limits.withPids(pidsLimit);
            }
            b.resources(limits);
            nonBlank(addHosts).forEach(h -> b.extraHost(dev.wharf.builder.api.ExtraHost.parse(h)));
            nonBlank(ulimits).forEach(u -> b.ulimit(dev.wharf.builder.sandbox.Ulimit.parse(u)));
            if (shmSize != null && !shmSize.isBlank()) {
                b.shmSize(ResourceLimits.parseSize(shmSize));
            }
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("RUN settings (<memory>, <cpus>, <pidsLimit>, <addHosts>, <ulimits>, <shmSize>): "
                    + e.getMessage(),
                    e);
        }
        try {
            OptionalLong epoch = sourceDateEpoch != null ? OptionalLong.of(sourceDateEpoch)
                    : SourceDateEpoch.fromOutputTimestamp(outputTimestamp);
            epoch.ifPresent(b::sourceDateEpoch);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        for (String tag : nonBlank(tags)) {
            b.tag(tag);
        }
        return b.build();
    }

    /** The file of secret {@code id}, relative to the project's directory, which must exist. */
    private Path secretFile(String id, String value) throws MojoFailureException {
        Path file = project.getBasedir() == null ? Path.of(value) : project.getBasedir().toPath().resolve(value);
        if (!Files.isRegularFile(file)) {
            throw new MojoFailureException("The file " + file + " of secret " + id + " does not exist; set it in"
                    + " <secrets><" + id + ">FILE</" + id + "></secrets> or -Dwharf.secrets=" + id + "=FILE.");
        }
        return file.toAbsolutePath();
    }

    /** The stripped, non-blank values of a list parameter (Maven leaves a list null or with blanks from "a,,b"). */
    private static List<String> nonBlank(List<String> values) {
        return values == null ? List.of()
                : values.stream().filter(v -> v != null && !v.isBlank()).map(String::strip).toList();
    }

    /** A map parameter's POM entries, overridden by those of its {@code -D} property. */
    private Map<String, String> map(Map<String, String> pom, String property) throws MojoFailureException {
        Map<String, String> entries = new LinkedHashMap<>(pom == null ? Map.of() : pom);
        try {
            entries.putAll(MapProperty.parse(property, property(property)));
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        return entries;
    }

    /** A user property ({@code -D}) of the session, else a system property, else null. */
    private String property(String name) {
        String value = session == null ? null : session.getUserProperties().getProperty(name);
        return value != null ? value : System.getProperty(name);
    }

    private Path storeRoot() {
        if (storeRoot != null) {
            return storeRoot.toPath();
        }
        return EngineOptions.defaultStoreRoot(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** Splits a cache parameter at {@code ;} and line breaks (its values hold commas). */
    private static List<String> cacheSpecs(String value) {
        return value == null ? List.of() : nonBlank(List.of(value.split("[;\\n]")));
    }

    private static String describe(BuildRequest request) {
        String what = request.dockerfile().map(Path::toString).orElse("Dockerfile");
        return what + request.target().map(t -> " (target " + t + ")").orElse("")
                + (request.tags().isEmpty() ? "" : " as " + String.join(", ", request.tags()));
    }

    private static BuildResult await(CompletableFuture<BuildResult> build, MavenProgress progress)
            throws MojoExecutionException, MojoFailureException {
        try {
            return build.get();
        } catch (InterruptedException e) {
            build.cancel(true);
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("The image build was interrupted", e);
        } catch (CancellationException e) {
            throw new MojoExecutionException("The image build was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BuildFailedException failed) {
                throw new MojoFailureException(FailureMessage.of(failed, progress.failedStepTail()), failed);
            }
            if (cause instanceof EngineException engine) {
                throw new MojoFailureException("Image build failed: " + engine.getMessage(), engine);
            }
            throw new MojoExecutionException("Internal error of the wharf engine: " + cause, cause);
        }
    }

    private void publish(BuildResult result) throws MojoExecutionException {
        project.getProperties().setProperty(DIGEST_PROPERTY, result.imageDigest());
        project.getProperties().setProperty(ID_PROPERTY, result.imageId());
        Path directory = Path.of(project.getBuild().getDirectory(), "wharf");
        try {
            ImageFiles.write(directory, result);
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot write the image digest to " + directory + ": " + e.getMessage(),
                    e);
        }
        getLog().info("Built image " + result.imageDigest() + " (id " + result.imageId() + ")"
                + (result.tags().isEmpty() ? "" : ", tagged " + String.join(", ", result.tags()))
                + (outputDirectory == null ? "" : ", OCI layout in " + outputDirectory)
                + (outputTar == null ? "" : ", docker archive " + outputTar)
                + "; " + result.steps().size() + " steps, " + result.cacheHits() + " cached");
    }
}
