package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.BuildResult;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which rewrites of a RUN's {@code --mount} flags rerun it: each variant is built after the one before it, and
 * whether its RUN was cached is what the peer's BuildKit (dockerd 26) did with the same sequence, built the same
 * way (its exec op keys mounts sorted by target, sources as {@code path.Join("/", src)}, cache ids and sharing only
 * when they are the defaults, a secret by the id it asks for).
 */
class RunMountCacheKeysTest {
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
        context = Files.createDirectories(temp.resolve("ctx"));
        Files.createDirectories(context.resolve("a"));
        Files.writeString(context.resolve("a/f"), "1\n");
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    /** Builds {@code FROM busybox} and a RUN with {@code mounts}; whether that RUN was cached. */
    private String build(String mounts) throws Exception {
        return build("", mounts);
    }

    /** Builds {@code stages}, then {@code FROM busybox} and a RUN with {@code mounts}; whether it was cached. */
    private String build(String stages, String mounts) throws Exception {
        BuildResult result = engine.build(BuildRequest.builder(context)
                .dockerfileText(stages + "FROM busybox:latest\nRUN " + mounts + " echo marker\n").build())
                .get(5, TimeUnit.MINUTES);
        return result.steps().stream().filter(s -> s.name().endsWith("echo marker")).findFirst()
                .map(s -> s.cached() ? "CACHED" : "ran").orElseThrow();
    }

    @Test
    void bindAndCacheMounts_orderSpellingIdsAndSharing_asBuildKitKeysThem() throws Exception {
        List<String> seen = new ArrayList<>();
        seen.add(build("--mount=type=cache,id=k,target=/c,sharing=locked --mount=type=bind,source=./a,target=/a"));
        // The id and sharing of a cache with an id of its own are not in BuildKit's key.
        seen.add(build("--mount=type=cache,id=other,target=/c,sharing=locked --mount=type=bind,source=./a,target=/a"));
        seen.add(build("--mount=type=cache,id=other,target=/c,sharing=private --mount=type=bind,source=./a,target=/a"));
        // Mounts are sorted by target; sources are path.Join("/", source); spellings and option order are one.
        seen.add(build("--mount=type=bind,source=./a,target=/a --mount=type=cache,id=other,target=/c,sharing=private"));
        seen.add(build("--mount=type=bind,src=a,dst=/a --mount=type=cache,id=other,destination=/c,sharing=private"));
        seen.add(build("--mount=type=bind,src=/a/,dst=/a --mount=type=cache,sharing=private,destination=/c,id=o2"));
        // What the mount shows, and its read-only flag, are.
        Files.writeString(context.resolve("a/f"), "2\n");
        seen.add(build("--mount=type=bind,src=/a/,dst=/a --mount=type=cache,sharing=private,destination=/c,id=o2"));
        seen.add(build("--mount=type=bind,src=/a/,dst=/a --mount=type=cache,destination=/c,id=o2,ro"));
        assertEquals(List.of("ran", "CACHED", "CACHED", "CACHED", "CACHED", "CACHED", "ran", "ran"), seen);
    }

    @Test
    void defaultCacheIds_stayInTheKeyOnlyWhileShared() throws Exception {
        List<String> seen = new ArrayList<>();
        seen.add(build("--mount=type=cache,target=/dc"));
        seen.add(build("--mount=type=cache,target=/dc,sharing=locked"));
        seen.add(build("--mount=type=cache,target=/dc,sharing=private"));
        seen.add(build("--mount=type=cache,target=/dc,sharing=private,id=/dc"));
        seen.add(build("--mount=type=cache,target=/dc,sharing=shared,id=/dc"));
        seen.add(build("--mount=type=cache,target=/dc,sharing=shared"));
        // A start directory is keyed by what it is: mode 0777 under umask 022 is 0755, uid=0 alone the same.
        seen.add(build("--mount=type=cache,target=/dc,mode=0777"));
        seen.add(build("--mount=type=cache,target=/dc,uid=0"));
        seen.add(build("--mount=type=cache,target=/dc,uid=1"));
        assertEquals(List.of("ran", "ran", "CACHED", "CACHED", "CACHED", "CACHED", "ran", "CACHED", "ran"), seen);
    }

    @Test
    void secretMounts_keyedByTheIdTheyAskFor() throws Exception {
        List<String> seen = new ArrayList<>();
        seen.add(build("--mount=type=secret,id=x,target=/t"));
        seen.add(build("--mount=type=secret,id=y,target=/t"));
        seen.add(build("--mount=type=secret,source=y,target=/t"));
        seen.add(build("--mount=type=secret,target=/t/y"));
        seen.add(build("--mount=type=secret,id=y,target=/t,mode=0400,uid=0"));
        assertEquals(List.of("ran", "ran", "CACHED", "ran", "CACHED"), seen);
    }

    @Test
    void mountsFromAStage_keyedByWhatTheySelect() throws Exception {
        String stage = "FROM busybox:latest AS s\nRUN mkdir -p /d && echo 1 > /d/f && echo %s > /other\n";
        List<String> seen = new ArrayList<>();
        seen.add(build(stage.formatted("a"), "--mount=type=bind,from=s,source=/d,target=/m"));
        // Another file of the stage changed: what the bind selects did not. Spellings of the same paths are one.
        seen.add(build(stage.formatted("b"), "--mount=type=bind,from=s,source=/d,target=/m"));
        seen.add(build(stage.formatted("b"), "--mount=type=bind,from=s,source=d/,target=m"));
        // A cache made with uid on the stage is keyed by the directory made, one with source by what it selects,
        // one of the stage's root by all of it.
        seen.add(build(stage.formatted("b"), "--mount=type=cache,from=s,uid=5,target=/cc"));
        seen.add(build(stage.formatted("c"), "--mount=type=cache,from=s,uid=5,target=/cc"));
        seen.add(build(stage.formatted("c"), "--mount=type=cache,from=s,source=d,target=/cc"));
        seen.add(build(stage.formatted("d"), "--mount=type=cache,from=s,source=d,target=/cc"));
        seen.add(build(stage.formatted("d"), "--mount=type=cache,from=s,target=/cc"));
        seen.add(build(stage.formatted("e"), "--mount=type=cache,from=s,target=/cc"));
        assertEquals(List.of("ran", "CACHED", "CACHED", "ran", "CACHED", "ran", "CACHED", "ran", "ran"), seen);
    }
}
