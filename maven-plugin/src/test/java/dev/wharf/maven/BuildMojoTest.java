package dev.wharf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.ImageAnnotation;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.OutputCompression;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ImageSummary;
import dev.wharf.builder.api.OutputSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.maven.model.Build;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goal against a fake engine: what it asks the engine for and what it makes of the answer. */
class BuildMojoTest {
    private static final String DIGEST = "sha256:" + "d".repeat(64);
    private static final String ID = "sha256:" + "1".repeat(64);

    @TempDir
    Path dir;

    private final List<BuildRequest> requests = new ArrayList<>();
    private final List<EngineOptions> engines = new ArrayList<>();
    private final RecordingLog log = new RecordingLog(false);
    private BuildMojo mojo;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(dir.resolve("Dockerfile"), "FROM busybox\nRUN exit 3\n");
        MavenProject project = new MavenProject();
        project.setFile(dir.resolve("pom.xml").toFile());
        project.setBuild(new Build());
        project.getBuild().setDirectory(dir.resolve("target").toString());
        mojo = new BuildMojo();
        mojo.setLog(log);
        mojo.project = project;
        mojo.contextDirectory = dir.toFile();
        mojo.storeRoot = dir.resolve("store").toFile();
        mojo.runtime = "auto";
    }

    private Function<EngineOptions, BuildEngine> engine(Function<BuildRequest, CompletableFuture<BuildResult>> build) {
        return options -> {
            engines.add(options);
            return new FakeEngine(request -> {
                requests.add(request);
                return build.apply(request);
            });
        };
    }

    @Test
    void success_passesTheParametersAndPublishesTheDigest() throws Exception {
        mojo.tags = List.of("app:1", " app:latest ");
        mojo.buildArgs = Map.of("VERSION", "1");
        mojo.target = "runtime";
        mojo.noCache = true;
        mojo.runtime = "builtin";
        mojo.noCacheFilter = List.of("build", " ");
        mojo.labels = Map.of("org.opencontainers.image.version", "1.0");
        mojo.platform = "linux/amd64";
        mojo.explainCache = true;
        mojo.outputDirectory = dir.resolve("oci").toFile();
        mojo.outputTar = dir.resolve("image.tar").toFile();
        Files.writeString(dir.resolve("token.txt"), "s3cret");
        mojo.secrets = Map.of("token", "token.txt");
        mojo.network = "host";
        mojo.outputTimestamp = "2024-01-01T00:00:00Z";
        mojo.engines = engine(request -> {
            request.listener().onEvent(new BuildEvent.StepStarted(1, "runtime", 1, 1, "FROM busybox"));
            return CompletableFuture.completedFuture(new BuildResult(DIGEST, ID, "{}", List.of(), request.tags(),
                    List.of(new BuildResult.StepTiming(1, "runtime", "FROM busybox", true, Duration.ZERO))));
        });
        mojo.execute();

        BuildRequest request = requests.get(0);
        assertEquals(dir.resolve("Dockerfile"), request.dockerfile().orElseThrow());
        assertEquals(dir, request.contextDir());
        assertEquals(List.of("app:1", "app:latest"), request.tags());
        assertEquals(Map.of("VERSION", "1"), request.buildArgs());
        assertEquals("runtime", request.target().orElseThrow());
        assertTrue(request.noCache());
        assertEquals(java.util.Set.of("build"), request.noCacheFilter());
        assertEquals(Map.of("org.opencontainers.image.version", "1.0"), request.labels());
        assertEquals("linux/amd64", request.platform().orElseThrow());
        assertTrue(request.explainCache());
        assertEquals(List.of(new BuildOutput("image", Optional.empty()),
                new BuildOutput("oci", Optional.of(dir.resolve("oci"))),
                new BuildOutput("docker", Optional.of(dir.resolve("image.tar")))), request.outputs());
        assertEquals(Map.of("token", dir.resolve("token.txt")), request.secrets());
        assertEquals("host", request.network());
        assertEquals(1704067200L, request.sourceDateEpoch().orElseThrow());
        assertEquals(dir.resolve("store"), engines.get(0).storeRoot());
        assertEquals("builtin", engines.get(0).runtime());

        assertEquals(DIGEST, mojo.project.getProperties().getProperty(BuildMojo.DIGEST_PROPERTY));
        assertEquals(ID, mojo.project.getProperties().getProperty(BuildMojo.ID_PROPERTY));
        assertEquals(DIGEST, Files.readString(dir.resolve("target/wharf/digest")));
        assertEquals(ID, Files.readString(dir.resolve("target/wharf/id")));
        assertTrue(log.lines.contains("INFO #1 [runtime 1/1] FROM busybox"), log.lines.toString());
        assertTrue(log.lines.get(log.lines.size() - 1).startsWith("INFO Built image " + DIGEST), log.lines.toString());
    }

    @Test
    void failedStep_becomesAMojoFailureWithStepLineExitCodeAndOutput() {
        mojo.engines = engine(request -> {
            request.listener().onEvent(new BuildEvent.StepStarted(2, "stage-0", 2, 2, "RUN exit 3"));
            request.listener().onEvent(new BuildEvent.StepLog(2, 2, "about to fail", Duration.ZERO));
            request.listener().onEvent(new BuildEvent.StepFailed(2, "exit code 3", Duration.ZERO));
            return CompletableFuture.failedFuture(
                    new BuildFailedException("RUN exit 3", "Dockerfile", 2, 3, "exit code 3", null));
        });
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith(
                "Image build failed: RUN exit 3 failed with exit code 3 at Dockerfile:2"), e.getMessage());
        assertTrue(e.getMessage().contains("    > about to fail"), e.getMessage());
        assertNull(mojo.project.getProperties().getProperty(BuildMojo.DIGEST_PROPERTY));
        assertFalse(Files.exists(dir.resolve("target/wharf/digest")));
    }

    @Test
    void sourceDateEpochParameter_winsOverTheOutputTimestamp() throws Exception {
        mojo.sourceDateEpoch = 42L;
        mojo.outputTimestamp = "2024-01-01T00:00:00Z";
        mojo.engines = engine(request -> CompletableFuture.completedFuture(
                new BuildResult(DIGEST, ID, "{}", List.of(), List.of(), List.of())));
        mojo.execute();
        assertEquals(List.of(), requests.get(0).outputs());
        assertEquals(42L, requests.get(0).sourceDateEpoch().orElseThrow());
    }

    @Test
    void compressionParameters_reachThePushAndExportOutputs_andABadOneFailsTheGoal() throws Exception {
        mojo.push = true;
        mojo.outputDirectory = dir.resolve("oci").toFile();
        mojo.compression = "zstd";
        mojo.compressionLevel = 9;
        mojo.forceCompression = true;
        mojo.engines = engine(request -> CompletableFuture.completedFuture(
                new BuildResult(DIGEST, ID, "{}", List.of(), List.of(), List.of())));
        mojo.execute();
        OutputCompression expected = new OutputCompression(OutputCompression.Type.ZSTD, OptionalInt.of(9), true);
        assertEquals(List.of("image", "oci", "image"), requests.get(0).outputs().stream().map(BuildOutput::type)
                .toList());
        assertTrue(requests.get(0).outputs().stream().filter(o -> o.push() || o.type().equals("oci"))
                .allMatch(o -> o.compression().equals(expected)), requests.get(0).outputs().toString());

        mojo.compression = "lz4";
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("<compression> compression=lz4 is unknown"), e.getMessage());
    }

    @Test
    void engineError_becomesAMojoFailureWithItsMessage() {
        mojo.engines = engine(request -> CompletableFuture.failedFuture(
                new EngineException("image nosuch:latest is not in the local store; import or pull it first")));
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals("Image build failed: image nosuch:latest is not in the local store; import or pull it first",
                e.getMessage());
    }

    @Test
    void unexpectedEngineException_isAnExecutionErrorNotAFailure() {
        mojo.engines = engine(request -> CompletableFuture.failedFuture(new IllegalStateException("bug")));
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("Internal error of the wharf engine"), e.getMessage());
    }

    @Test
    void interruptedMaven_cancelsTheBuildAndKeepsTheInterrupt() {
        CompletableFuture<BuildResult> never = new CompletableFuture<>();
        mojo.engines = engine(request -> never);
        Thread.currentThread().interrupt();
        try {
            MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
            assertEquals("The image build was interrupted", e.getMessage());
            assertTrue(never.isCancelled());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void missingSecretFile_failsNamingTheSecret() {
        mojo.secrets = Map.of("token", "nope.txt");
        mojo.engines = engine(request -> {
            throw new AssertionError("no build expected");
        });
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("secret token"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("nope.txt").toString()), e.getMessage());
    }

    @Test
    void cacheParameters_takeSeveralDockerStyleValues_andABadOneFailsNamingTheParameter() throws Exception {
        mojo.cacheFrom = "type=registry,ref=registry.example/app:cache;\n type=local,src=" + dir.resolve("c");
        mojo.cacheTo = "type=local,dest=" + dir.resolve("c") + ",mode=max";
        mojo.engines = engine(request -> CompletableFuture.completedFuture(new BuildResult(DIGEST, ID, "{}",
                List.of(), List.of(), List.of())));
        mojo.execute();
        BuildRequest request = requests.get(0);
        assertEquals(List.of(CacheSource.registry("registry.example/app:cache"), CacheSource.local(dir.resolve("c"))),
                request.cacheFrom());
        assertEquals(List.of(CacheDestination.local(dir.resolve("c"), CacheDestination.Mode.MAX)), request.cacheTo());

        mojo.cacheTo = "type=s3,bucket=b";
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("-Dwharf.cacheTo"), e.getMessage());
    }

    @Test
    void addHostsAndUlimits_reachTheRequest_andABadOneFailsNamingTheParameter() throws Exception {
        mojo.addHosts = List.of("db.local:10.0.0.5", " ");
        mojo.ulimits = List.of("nofile=1024:4096");
        mojo.engines = engine(request -> CompletableFuture.completedFuture(new BuildResult(DIGEST, ID, "{}",
                List.of(), List.of(), List.of())));
        mojo.execute();
        BuildRequest request = requests.get(0);
        assertEquals(List.of(new dev.wharf.builder.api.ExtraHost("db.local", "10.0.0.5")), request.extraHosts());
        assertEquals(List.of(new dev.wharf.builder.sandbox.Ulimit("nofile", 1024, 4096)), request.ulimits());

        mojo.ulimits = List.of("nofile=lots");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("<ulimits>"), e.getMessage());
    }

    @Test
    void unknownNetwork_failsNamingTheParameter() {
        mojo.network = "bridge";
        mojo.engines = engine(request -> {
            throw new AssertionError("no build expected");
        });
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("-Dwharf.network"), e.getMessage());
    }

    @Test
    void skip_buildsNothing() throws Exception {
        mojo.skip = true;
        mojo.engines = engine(request -> {
            throw new AssertionError("no build expected");
        });
        mojo.execute();
        assertTrue(engines.isEmpty());
        assertEquals(List.of("INFO Skipping wharf:build (wharf.skip)"), log.lines);
    }

    @Test
    void missingDockerfile_failsNamingTheParameter() {
        mojo.dockerfile = dir.resolve("nope/Dockerfile").toFile();
        mojo.engines = engine(request -> {
            throw new AssertionError("no build expected");
        });
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("-Dwharf.dockerfile"), e.getMessage());
        assertTrue(engines.isEmpty());
    }

    @Test
    void mapProperties_overrideThePomsValues() throws Exception {
        mojo.buildArgs = Map.of("A", "pom", "B", "pom");
        mojo.labels = Map.of("x", "pom");
        System.setProperty(MapProperty.BUILD_ARGS, "B=cli,C=cli");
        System.setProperty(MapProperty.LABELS, "x=cli");
        try {
            mojo.engines = engine(request -> CompletableFuture.completedFuture(
                    new BuildResult(DIGEST, ID, "{}", List.of(), List.of(), List.of())));
            mojo.execute();
        } finally {
            System.clearProperty(MapProperty.BUILD_ARGS);
            System.clearProperty(MapProperty.LABELS);
        }
        assertEquals(Map.of("A", "pom", "B", "cli", "C", "cli"), requests.get(0).buildArgs());
        assertEquals(Map.of("x", "cli"), requests.get(0).labels());
    }

    @Test
    void annotations_reachTheRequestTyped_andThePropertyOverridesThePom() throws Exception {
        mojo.annotations = new java.util.LinkedHashMap<>(Map.of("org.opencontainers.image.title", "pom"));
        mojo.annotations.put("manifest-descriptor:org.example.d", "a=b");
        System.setProperty(MapProperty.ANNOTATIONS, "org.opencontainers.image.title=cli,manifest[linux/arm64]:p=1");
        try {
            mojo.engines = engine(request -> CompletableFuture.completedFuture(
                    new BuildResult(DIGEST, ID, "{}", List.of(), List.of(), List.of())));
            mojo.execute();
        } finally {
            System.clearProperty(MapProperty.ANNOTATIONS);
        }
        assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "org.opencontainers.image.title", "cli"),
                new ImageAnnotation("manifest-descriptor", Optional.empty(), "org.example.d", "a=b"),
                new ImageAnnotation("manifest", Optional.of("linux/arm64"), "p", "1")),
                requests.get(0).annotations());

        requests.clear();
        mojo.annotations = new java.util.LinkedHashMap<>();
        mojo.annotations.put("org.example.empty", null); // what Maven maps an empty POM element to
        mojo.execute();
        assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "org.example.empty", "")),
                requests.get(0).annotations());

        mojo.annotations = Map.of("layer:k", "v");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals("<annotations>: unknown annotation type \"layer\"", e.getMessage());
    }

    @Test
    void buildContexts_reachTheRequestAsWritten_relativeToTheProject_andThePropertyOverridesThePom()
            throws Exception {
        Files.createDirectories(dir.resolve("deps"));
        Files.createDirectories(dir.resolve("github.com/x/y"));
        mojo.project.setFile(dir.resolve("pom.xml").toFile());
        // The engine classifies the values as the CLI does (github.com/x/y is a git URL even when such a folder
        // exists) and resolves relative ones, oci-layout:// included, against the project's directory.
        mojo.buildContexts = Map.of("deps", "deps", "base", "docker-image://busybox:1.36", "src", "github.com/x/y",
                "img", "oci-layout://layout");
        System.setProperty(MapProperty.BUILD_CONTEXTS, "base=docker-image://alpine:3.20");
        try {
            mojo.engines = engine(request -> CompletableFuture.completedFuture(
                    new BuildResult(DIGEST, ID, "{}", List.of(), List.of(), List.of())));
            mojo.execute();
        } finally {
            System.clearProperty(MapProperty.BUILD_CONTEXTS);
        }
        assertEquals(Map.of("deps", "deps", "base", "docker-image://alpine:3.20", "src", "github.com/x/y",
                "img", "oci-layout://layout"), requests.get(0).namedContexts());
        assertEquals(dir.toAbsolutePath(), requests.get(0).namedContextBase());
    }

    /** An engine whose builds are answered by a function; nothing else is used by the goal. */
    private record FakeEngine(Function<BuildRequest, CompletableFuture<BuildResult>> builds) implements BuildEngine {
        @Override
        public CompletableFuture<BuildResult> build(BuildRequest request) {
            return builds.apply(request);
        }

        @Override
        public ImageSummary importImage(Path rootfsTar, String reference) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ImageSummary> images() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int run(String reference, List<String> command, OutputSink output) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
