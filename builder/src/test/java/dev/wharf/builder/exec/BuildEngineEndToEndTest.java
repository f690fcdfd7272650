package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.layers.Digest;
import dev.wharf.layers.compress.Decompressors;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.tar.TarEntry;
import dev.wharf.layers.tar.TarReader;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds real images with a real sandbox: the hello example from a busybox image imported offline, full cache hits,
 * partial invalidation, a failing RUN, determinism under SOURCE_DATE_EPOCH and whiteouts in layers.
 */
class BuildEngineEndToEndTest {
    @TempDir
    Path temp;

    BuildEngine engine;
    Path context;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                "busybox:latest");
        context = Files.createDirectories(temp.resolve("hello"));
        Path example = Path.of("..", "testdata", "examples", "hello");
        try (Stream<Path> files = Files.list(example)) {
            for (Path f : files.toList()) {
                Files.copy(f, context.resolve(f.getFileName()));
            }
        }
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private BuildResult build(BuildRequest.Builder request) throws Exception {
        return engine.build(request.build()).get(5, TimeUnit.MINUTES);
    }

    private BuildRequest.Builder hello() {
        return BuildRequest.builder(context).buildArg("BASE", "busybox:latest").tag("hello:latest");
    }

    private int run(String image, List<String> command, List<String> out) throws Exception {
        return engine.run(image, command, (stream, line) -> out.add(line));
    }

    @Test
    void helloExample_buildsAndRunsItsCommand() throws Exception {
        BuildResult result = build(hello());
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        int code = run("hello:latest", List.of(), out);
        assertEquals(0, code, String.join("\n", out));
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("Hello from wharf (built on "), out.get(0));
        assertEquals(4, result.layers().size(), "busybox, WORKDIR /app, COPY and RUN: " + result.layers());
        assertTrue(result.config().contains("\"User\":\"nobody\""), result.config());
        assertTrue(engine.images().stream().anyMatch(i -> i.name().equals("hello:latest")
                && i.digest().equals(result.imageDigest())));
    }

    @Test
    void secondBuild_isFullyCachedWithTheSameDigest() throws Exception {
        BuildResult first = build(hello());
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildResult second = build(hello().listener(events::add));
        assertEquals(first.imageDigest(), second.imageDigest());
        assertEquals(first.imageId(), second.imageId());
        assertEquals(0, second.cacheMisses(), second.steps().toString());
        long cachedEvents = events.stream().filter(e -> e instanceof BuildEvent.StepCached).count();
        // BuildKit's vertices only: LABEL, ENV, USER and CMD change the config without a step of their own; the
        // FROM of an image in the store is cached too, as BuildKit shows it.
        assertEquals(4, cachedEvents, "FROM WORKDIR COPY RUN");
    }

    @Test
    void changingHelloSh_rerunsTheCopyAndTheRunAfterIt() throws Exception {
        build(hello());
        Files.writeString(context.resolve("hello.sh"), "#!/bin/sh\necho \"changed: $GREETING\"\n");
        BuildResult second = build(hello());
        List<String> missed = second.steps().stream().filter(s -> !s.cached()).map(BuildResult.StepTiming::name)
                .map(n -> n.split(" ")[0]).toList();
        // USER and CMD change no filesystem: like BuildKit, they are recomputed, never rerun.
        assertEquals(List.of("COPY", "RUN"), missed, second.steps().toString());
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, run("hello:latest", List.of(), out));
        assertEquals(List.of("changed: Hello from wharf"), out);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"runc", "crun", "builtin"})
    void everyRuntime_buildsAndRunsTheHelloExample(String runtime) throws Exception {
        if (!runtime.equals("builtin")) {
            HostRequirements.requireTool(runtime, "apt-get install " + runtime);
        }
        build(hello().runtime(runtime).noCache(true));
        engine.close();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")).withRuntime(runtime));
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, run("hello:latest", List.of(), out), out.toString());
        assertTrue(out.get(0).startsWith("Hello from wharf (built on "), out.toString());
    }

    @Test
    void runHasANetworkByDefault_andOnlyLoopbackWithNetworkNone() throws Exception {
        // Interface names as the sandbox sees them, compared with the host's: the default, like docker build, gives
        // RUN a network (the host's here); --network=none leaves only lo, per step and per build.
        List<String> host = interfaces(Files.readAllLines(Path.of("/proc/net/dev")));
        assertTrue(host.size() > 1, "the host has an interface besides lo: " + host);
        String dockerfile = "FROM busybox:latest\nRUN cat /proc/net/dev\nRUN --network=none cat /proc/net/dev\n";
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<Integer> steps = Collections.synchronizedList(new ArrayList<>());
        build(BuildRequest.builder(context).dockerfileText(dockerfile).noCache(true).listener(event -> {
            if (event instanceof BuildEvent.StepLog log) {
                lines.add(log.step() + " " + log.line());
                steps.add(log.step());
            }
        }));
        int first = steps.stream().min(Integer::compare).orElseThrow();
        List<String> byDefault = interfaces(lines.stream().filter(l -> l.startsWith(first + " "))
                .map(l -> l.substring(l.indexOf(' ') + 1)).toList());
        List<String> withNone = interfaces(lines.stream().filter(l -> !l.startsWith(first + " "))
                .map(l -> l.substring(l.indexOf(' ') + 1)).toList());
        assertEquals(host, byDefault, String.join("\n", lines));
        assertEquals(List.of("lo"), withNone, String.join("\n", lines));

        List<String> buildNone = Collections.synchronizedList(new ArrayList<>());
        build(BuildRequest.builder(context).dockerfileText("FROM busybox:latest\nRUN cat /proc/net/dev\n")
                .noCache(true).network("none").listener(event -> {
                    if (event instanceof BuildEvent.StepLog log) {
                        buildNone.add(log.line());
                    }
                }));
        assertEquals(List.of("lo"), interfaces(buildNone), String.join("\n", buildNone));
    }

    @Test
    void addHostUlimitAndShmSize_reachRunSteps_andKeyTheirCache() throws Exception {
        String dockerfile = "FROM busybox:latest\nRUN cat /etc/hosts; echo soft=$(ulimit -n) hard=$(ulimit -Hn);"
                + " df -k /dev/shm | tail -1\n";
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<Integer> cached = Collections.synchronizedList(new ArrayList<>());
        java.util.Set<Integer> runs = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.function.Supplier<BuildRequest.Builder> request = () -> BuildRequest.builder(context)
                .dockerfileText(dockerfile).listener(event -> {
                    if (event instanceof BuildEvent.StepLog log) {
                        lines.add(log.line());
                    } else if (event instanceof BuildEvent.StepStarted s && s.name().startsWith("RUN")) {
                        runs.add(s.step());
                    } else if (event instanceof BuildEvent.StepCached c && runs.contains(c.step())) {
                        cached.add(c.step());
                    }
                });

        build(request.get().extraHost(dev.wharf.builder.api.ExtraHost.parse("db.local:10.0.0.5"))
                .ulimit(dev.wharf.builder.sandbox.Ulimit.parse("nofile=1024:2048")).shmSize(128L * 1024 * 1024));
        assertTrue(lines.contains("10.0.0.5\tdb.local"), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\S+\\s+131072\\s.*/dev/shm")), String.join("\n", lines));
        assertTrue(lines.contains("127.0.0.1\tlocalhost buildkitsandbox"), String.join("\n", lines));
        assertTrue(lines.contains("soft=1024 hard=2048"), String.join("\n", lines));

        // Another host list is another exec op in BuildKit, so the RUN runs again, and the shared hosts file of
        // builds without --add-host has no such line.
        lines.clear();
        build(request.get().extraHost(dev.wharf.builder.api.ExtraHost.parse("db.local=10.0.0.6"))
                .ulimit(dev.wharf.builder.sandbox.Ulimit.parse("nofile=1024:2048")));
        assertTrue(lines.contains("10.0.0.6\tdb.local"), String.join("\n", lines));
        lines.clear();
        build(request.get());
        assertTrue(lines.stream().noneMatch(l -> l.contains("db.local")), String.join("\n", lines));
        assertTrue(cached.isEmpty(), "RUN steps hit the cache: " + cached);
    }

    @Test
    void sandboxHostnameBuildArg_namesRunStepsHost_inEtcHosts_andKeysTheirCache() throws Exception {
        // dockerui's BUILDKIT_SANDBOX_HOSTNAME (dockerd 26 prints "myhost" and "127.0.0.1\tlocalhost myhost").
        String dockerfile = "FROM busybox:latest\nRUN hostname; grep localhost /etc/hosts\n";
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<String> cached = Collections.synchronizedList(new ArrayList<>());
        java.util.function.Supplier<BuildRequest.Builder> request = () -> BuildRequest.builder(context)
                .dockerfileText(dockerfile).listener(event -> {
                    if (event instanceof BuildEvent.StepLog log) {
                        lines.add(log.line());
                    } else if (event instanceof BuildEvent.StepCached c) {
                        cached.add(String.valueOf(c.step()));
                    }
                });
        build(request.get().buildArg("BUILDKIT_SANDBOX_HOSTNAME", "myhost"));
        assertEquals(List.of("myhost", "127.0.0.1\tlocalhost myhost", "::1\tlocalhost ip6-localhost ip6-loopback"),
                List.copyOf(lines));
        lines.clear();
        // An empty value is no hostname of its own; another hostname is another exec op, so the RUN runs again.
        build(request.get().buildArg("BUILDKIT_SANDBOX_HOSTNAME", ""));
        assertEquals(List.of("buildkitsandbox", "127.0.0.1\tlocalhost buildkitsandbox",
                "::1\tlocalhost ip6-localhost ip6-loopback"), List.copyOf(lines));
        lines.clear();
        cached.clear();
        build(request.get().buildArg("BUILDKIT_SANDBOX_HOSTNAME", "myhost"));
        assertEquals(List.of(), List.copyOf(lines), "the same hostname hits the cache");
        assertEquals(2, cached.size(), "FROM and RUN are cached: " + cached);
    }

    @Test
    void cacheMountNamespaceBuildArg_separatesCaches_andKeysOnlyStepsWithCacheMounts() throws Exception {
        // dockerui's BUILDKIT_CACHE_MOUNT_NS: dockerfile2llb names a cache NS/ID, so namespaces share no cache.
        String dockerfile = "FROM busybox:latest\nRUN echo plain\n"
                + "RUN --mount=type=cache,target=/c cat /c/f 2>/dev/null || echo empty; echo $RANDOM > /c/f\n";
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        java.util.function.Function<String, BuildRequest.Builder> request = ns -> {
            BuildRequest.Builder b = BuildRequest.builder(context).dockerfileText(dockerfile).listener(event -> {
                if (event instanceof BuildEvent.StepLog log) {
                    lines.add(log.line());
                }
            });
            return ns == null ? b : b.buildArg("BUILDKIT_CACHE_MOUNT_NS", ns);
        };
        build(request.apply(null));
        assertEquals(List.of("plain", "empty"), List.copyOf(lines));
        lines.clear();
        // Another namespace: the step without a cache mount stays cached, the one with it runs on a new cache.
        build(request.apply("team-a"));
        assertEquals(List.of("empty"), List.copyOf(lines));
        lines.clear();
        build(request.apply("team-a").noCache(true));
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).matches("\\d+"), "team-a's cache kept its file: " + lines);
        lines.clear();
        build(request.apply("team-b"));
        assertEquals(List.of("empty"), List.copyOf(lines));
    }

    @Test
    void aStageThatFails_cancelsTheStepsRunningBesideIt_whichReportCancelledNotAnError() throws Exception {
        // BuildKit (measured with dockerd 26): "#5 ERROR: ... exit code: 1" for the failing step, "#7 CANCELED" for
        // the sibling stage's running one, and the build's error is the failing step's.
        String dockerfile = "FROM busybox:latest AS a\nRUN sleep 10; echo a\nFROM busybox:latest AS b\nRUN exit 1\n"
                + "FROM busybox:latest\nCOPY --from=a / /a\nCOPY --from=b / /b\n";
        Map<Integer, String> names = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Integer, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> build(BuildRequest.builder(context).dockerfileText(dockerfile).noCache(true).listener(event -> {
                    if (event instanceof BuildEvent.StepStarted s) {
                        names.put(s.step(), s.name());
                    } else if (event instanceof BuildEvent.StepFailed f) {
                        failures.put(f.step(), f.message());
                    }
                })));
        assertEquals("RUN exit 1 failed with exit code 1 at Dockerfile:4", e.getCause().getMessage());
        Map<String, String> byName = new java.util.TreeMap<>();
        failures.forEach((step, message) -> byName.put(names.get(step), message));
        assertEquals(Map.of("RUN exit 1", "process \"/bin/sh -c exit 1\" did not complete successfully: exit code: 1",
                "RUN sleep 10; echo a", "cancelled"), byName);
    }

    @Test
    void localOutput_isOwnedByTheUserRunningTheBuild_inA0700Directory_asBuildKitsLocalExporter() throws Exception {
        Path out = context.resolveSibling("local-out").resolve("nested");
        String dockerfile = "FROM busybox:latest\nRUN mkdir /app && echo hi > /app/f && chown -R 1000:1000 /app"
                + " && chmod 4755 /app/f\n";
        build(BuildRequest.builder(context).dockerfileText(dockerfile)
                .output(BuildOutput.parse("type=local,dest=" + out)));
        Path file = out.resolve("app/f");
        assertEquals("hi\n", Files.readString(file));
        int uid = (Integer) Files.getAttribute(file, "unix:uid");
        assertEquals(0, uid, "owned by the user running the build (root here), not by uid 1000");
        assertEquals(04755, (Integer) Files.getAttribute(file, "unix:mode") & 07777, "the setuid bit stays");
        assertEquals(0700, (Integer) Files.getAttribute(out, "unix:mode") & 07777);
        assertEquals(0700, (Integer) Files.getAttribute(out.getParent(), "unix:mode") & 07777);
    }

    /** The sorted interface names of /proc/net/dev lines (two header lines, then "name: counters"). */
    private static List<String> interfaces(List<String> procNetDev) {
        return procNetDev.stream().filter(l -> l.contains(":")).map(l -> l.substring(0, l.indexOf(':')).trim())
                .sorted().toList();
    }

    @Test
    void failingRun_reportsExitCodeStepAndLine() throws Exception {
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildRequest request = BuildRequest.builder(context)
                .dockerfileText("FROM busybox:latest\nRUN echo before\nRUN echo \"failing\" >&2; exit 3\n")
                .listener(events::add).build();
        CompletionException e = assertThrows(CompletionException.class, () -> engine.build(request).join());
        BuildFailedException failure = assertInstanceOf(BuildFailedException.class, e.getCause());
        assertEquals(3, failure.exitCode().orElseThrow());
        assertEquals(3, failure.line());
        assertEquals("RUN echo \"failing\" >&2; exit 3 failed with exit code 3 at Dockerfile:3", failure.getMessage());
        assertTrue(events.stream().anyMatch(ev -> ev instanceof BuildEvent.StepLog log && log.stream() == 2
                && log.line().equals("failing")), events.toString());
        // The step's error line is BuildKit's vertex error, the command Go-quoted (exec.go: "process %q ...").
        assertTrue(events.stream().anyMatch(ev -> ev instanceof BuildEvent.StepFailed f && f.message().equals(
                "process \"/bin/sh -c echo \\\"failing\\\" >&2; exit 3\" did not complete successfully: "
                        + "exit code: 3")),
                events.toString());
    }

    @Test
    void runAsUnknownUser_failsAsTheProcessOfItsStep() {
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildRequest request = BuildRequest.builder(context)
                .dockerfileText("FROM busybox:latest\nUSER nouser\nRUN true\n").listener(events::add).build();
        CompletionException e = assertThrows(CompletionException.class, () -> engine.build(request).join());
        BuildFailedException failure = assertInstanceOf(BuildFailedException.class, e.getCause());
        assertEquals(3, failure.line());
        // BuildKit looks the user up in its executor, so exec.go's wrapper names the process first.
        assertTrue(events.stream().anyMatch(ev -> ev instanceof BuildEvent.StepFailed f && f.message().equals(
                "process \"/bin/sh -c true\" did not complete successfully: unable to find user nouser: "
                        + "no matching entries in passwd file")), events.toString());
    }

    @Test
    void copyOfAMissingJar_failsItsStepWithTheChecksumError_andTheBuildWithTheCacheKeyOne() {
        // As the BuildKit peer prints it: "#4 ERROR: failed to calculate checksum of ref ...: "/target/app.jar": not
        // found" on the step, "failed to compute cache key: failed to calculate checksum ..." as the build's error.
        List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
        BuildRequest request = BuildRequest.builder(context)
                .dockerfileText("FROM busybox:latest\nCOPY target/app.jar /app.jar\n").listener(events::add).build();
        CompletionException e = assertThrows(CompletionException.class, () -> engine.build(request).join());
        BuildFailedException failure = assertInstanceOf(BuildFailedException.class, e.getCause());
        String checksum = "failed to calculate checksum of ref context: \"/target/app.jar\": not found";
        assertEquals("failed to compute cache key: " + checksum, failure.reason());
        assertTrue(events.stream().anyMatch(ev -> ev instanceof BuildEvent.StepFailed f
                && f.message().equals(checksum)), events.toString());
    }

    @Test
    void emptyOrCommentOnlyDockerfiles_failWithBuildKitsMessages() {
        CompletionException empty = assertThrows(CompletionException.class, () -> engine.build(
                BuildRequest.builder(context).dockerfileText("").build()).join());
        assertEquals("planning Dockerfile failed: the Dockerfile cannot be empty", empty.getCause().getMessage());
        CompletionException comments = assertThrows(CompletionException.class, () -> engine.build(
                BuildRequest.builder(context).dockerfileText("# only a comment\n\n").build()).join());
        assertEquals("planning Dockerfile failed at Dockerfile:2: file with no instructions",
                comments.getCause().getMessage());
    }

    @Test
    void sameInputsWithSourceDateEpoch_giveTheSameDigestsTwice() throws Exception {
        BuildResult first = build(hello().noCache(true).sourceDateEpoch(1_700_000_000L));
        BuildResult second = build(hello().noCache(true).sourceDateEpoch(1_700_000_000L));
        assertEquals(first.layers(), second.layers());
        assertEquals(first.imageDigest(), second.imageDigest());
        assertEquals(List.of(), second.steps().stream().filter(s -> s.cached()
                && s.name().matches("(RUN|COPY|WORKDIR).*")).toList(), "--no-cache runs every filesystem step");
        // A build without the epoch saves its own cache entries; they must not leak unclamped times into a later
        // build with the epoch.
        build(hello().noCache(true));
        BuildResult cached = build(hello().sourceDateEpoch(1_700_000_000L));
        assertEquals(first.imageDigest(), cached.imageDigest(), "cache hits give the same image");
    }

    @Test
    void fileDeletedInALaterRun_isAWhiteoutInItsLayer() throws Exception {
        BuildResult result = build(BuildRequest.builder(context).dockerfileText(
                "FROM busybox:latest\nRUN echo a > /f && mkdir /d && echo x > /d/x && echo y > /d/y\n"
                        + "RUN rm /f /d/x\n"));
        List<String> names = new ArrayList<>();
        String top = result.layers().get(result.layers().size() - 1).digest();
        LocalStore store = LocalStore.open(temp.resolve("store"));
        try (InputStream in = Decompressors.open(store.blobs().open(Digest.parse(top)))) {
            TarReader tar = new TarReader(in);
            Optional<TarEntry> entry;
            while ((entry = tar.next()).isPresent()) {
                names.add(entry.get().name());
            }
        }
        assertTrue(names.contains(".wh.f"), names.toString());
        assertTrue(names.contains("d/.wh.x"), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.endsWith("d/y")), names.toString());
    }

    /**
     * With SOURCE_DATE_EPOCH a COPY dates the lower directory it writes into with the epoch (BuildKit's
     * rewrite-timestamp clamps the time of the write to it), a directory it only passes through keeps its lower
     * time, and a whiteout is dated with the epoch too (containerd's WithWhiteoutTime).
     */
    @Test
    void sourceDateEpoch_datesDirectoriesWrittenInto_andWhiteouts() throws Exception {
        Files.writeString(context.resolve("note.txt"), "n\n");
        Files.setLastModifiedTime(context.resolve("note.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
        BuildResult result = build(BuildRequest.builder(context).noCache(true).sourceDateEpoch(1_200_000_000L)
                .dockerfileText("FROM busybox:latest\nRUN mkdir -p /a/b && touch -d @1000 /a /a/b && rm /bin/vi\n"
                        + "COPY note.txt /a/b/\n"));
        java.util.Map<String, Long> copy = layerTimes(result.layers().get(result.layers().size() - 1).digest());
        assertEquals(java.util.Map.of("a/", 1000L, "a/b/", 1_200_000_000L, "a/b/note.txt", 0L), copy);
        java.util.Map<String, Long> run = layerTimes(result.layers().get(result.layers().size() - 2).digest());
        assertEquals(1_200_000_000L, run.get("bin/.wh.vi"), run.toString());
    }

    private java.util.Map<String, Long> layerTimes(String digest) throws Exception {
        java.util.Map<String, Long> times = new java.util.TreeMap<>();
        LocalStore store = LocalStore.open(temp.resolve("store"));
        try (InputStream in = Decompressors.open(store.blobs().open(Digest.parse(digest)))) {
            TarReader tar = new TarReader(in);
            Optional<TarEntry> entry;
            while ((entry = tar.next()).isPresent()) {
                times.put(entry.get().name(), entry.get().mtime());
            }
        }
        return times;
    }

    @Test
    void baseImageWithWhiteouts_unpackedOnAFreshMachine_keepsDeletedFilesHidden() throws Exception {
        build(BuildRequest.builder(context).tag("base:deleting").dockerfileText(
                "FROM busybox:latest\nRUN echo a > /f && mkdir /d && echo x > /d/x && echo y > /d/y\n"
                        + "RUN mkdir /o && echo old > /o/old\n"
                        + "RUN rm /f /d/x && rm -r /bin/vi && rm -r /o && mkdir /o && echo new > /o/new\n"));
        // A fresh machine has the blobs but no snapshots: every layer is unpacked from its blob.
        engine.close();
        deleteTree(temp.resolve("store/snapshots"));
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        build(BuildRequest.builder(context).tag("t:latest").dockerfileText(
                "FROM base:deleting\nRUN test ! -e /f && test ! -e /d/x && test -e /d/y && test ! -e /bin/vi"
                        + " && test ! -e /o/old && test -e /o/new && echo hidden > /result\n"));
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, run("t:latest", List.of("cat", "/result"), out), out.toString());
        assertEquals(List.of("hidden"), out);
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
