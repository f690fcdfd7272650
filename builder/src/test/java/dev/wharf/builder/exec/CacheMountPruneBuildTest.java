package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.cache.PruneOptions;
import dev.wharf.layers.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache mounts and prune with real builds (sandbox, store, busybox): a pruned cache starts empty in the next build,
 * a cache a running build holds survives a prune, and a {@code from=} cache of a named local context is read as
 * COPY --from reads that context. Needs root.
 */
class CacheMountPruneBuildTest {
    @TempDir
    Path temp;

    BuildEngine engine;
    Path context;
    Path store;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        store = temp.resolve("store");
        engine = BuildEngine.create(EngineOptions.of(store));
        engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                "busybox:latest");
        context = Files.createDirectories(temp.resolve("ctx"));
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private CompletableFuture<?> start(String dockerfile) {
        return engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest").build());
    }

    private void build(String dockerfile) throws Exception {
        start(dockerfile).get(5, TimeUnit.MINUTES);
    }

    private List<String> run(String... command) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        int code = engine.run("t:latest", List.of(command), (stream, line) -> out.add(line));
        assertEquals(0, code, out.toString());
        return out;
    }

    private Path cacheDir(String id) {
        return store.resolve(CacheMountPrune.DIRECTORY)
                .resolve(Digest.sha256Of(id.getBytes(StandardCharsets.UTF_8)).hex());
    }

    private CacheMountPrune.Pruned pruneAll() throws Exception {
        return CacheMountPrune.prune(store, PruneOptions.everything(), Instant.now(), Optional.empty());
    }

    @Test
    void aPrunedCache_startsEmptyInTheNextBuild() throws Exception {
        build("FROM busybox:latest\nRUN --mount=type=cache,target=/c echo filled > /c/f\n");
        assertTrue(Files.exists(cacheDir("/c").resolve("f")));
        String reader = "FROM busybox:latest\nRUN --mount=type=cache,target=/c ls -A /c > /seen; echo %s\n";
        build(reader.formatted("before"));
        assertEquals(List.of("f"), run("cat", "/seen"), "the cache is kept between builds");

        CacheMountPrune.Pruned pruned = pruneAll();
        assertEquals(List.of(cacheDir("/c").getFileName().toString()), pruned.removed());
        build(reader.formatted("after"));
        assertEquals(List.of(), run("cat", "/seen"), "an empty cache after the prune");
    }

    @Test
    void aCacheARunningBuildHolds_survivesAPrune() throws Exception {
        Path busy = cacheDir("busy");
        // The step writes into its cache, then waits for the test's go file in it.
        CompletableFuture<?> running = start("""
                FROM busybox:latest
                RUN --mount=type=cache,target=/c,id=busy echo mine > /c/f; \\
                    i=0; while [ ! -e /c/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
                """);
        build("FROM busybox:latest\nRUN --mount=type=cache,target=/c,id=idle echo idle > /c/f\n");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(busy.resolve("f")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(busy.resolve("f")), "the running step wrote its cache");

        CacheMountPrune.Pruned pruned = pruneAll();
        assertEquals(List.of(cacheDir("idle").getFileName().toString()), pruned.removed(), "only the idle one");
        assertEquals("mine\n", Files.readString(busy.resolve("f")));
        Files.writeString(busy.resolve("go"), "");
        running.get(5, TimeUnit.MINUTES);

        build("FROM busybox:latest\nRUN --mount=type=cache,target=/c,id=busy cat /c/f > /seen\n");
        assertEquals(List.of("mine"), run("cat", "/seen"));
    }

    @Test
    void aFromCacheOfANamedLocalContext_leavesOutItsIgnoredFiles_andIsOwnedByRoot() throws Exception {
        Path named = Files.createDirectories(temp.resolve("named/sub"));
        Files.writeString(named.resolve("keep"), "kept\n");
        Files.writeString(named.resolve("secret.key"), "never\n");
        Files.writeString(named.getParent().resolve(".dockerignore"), "**/*.key\n");
        Files.setAttribute(named.resolve("keep"), "unix:uid", 1234);
        Files.setAttribute(named.resolve("keep"), "unix:gid", 4321);
        Files.setAttribute(named, "unix:uid", 1234);
        engine.build(BuildRequest.builder(context).namedContext("seed", named.getParent().toString())
                .dockerfileText("""
                        FROM busybox:latest
                        RUN --mount=type=cache,target=/c,from=seed \\
                            find /c | sort > /seen; stat -c '%u:%g %n' /c/sub /c/sub/keep > /owners
                        COPY --from=seed / /copied/
                        RUN find /copied | sed s,/copied,/c, | sort > /copied.txt
                        """).tag("t:latest").build()).get(5, TimeUnit.MINUTES);
        assertEquals(List.of("/c", "/c/.dockerignore", "/c/sub", "/c/sub/keep"), run("cat", "/seen"));
        assertEquals(run("cat", "/copied.txt"), run("cat", "/seen"), "what COPY --from=seed copies");
        assertEquals(List.of("0:0 /c/sub", "0:0 /c/sub/keep"), run("cat", "/owners"));
    }
}
