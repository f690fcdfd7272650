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
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A build engine on a store under a test's temporary directory with {@code busybox:latest} imported (as root only):
 * builds a Dockerfile text against a context and runs the image it tagged, for end-to-end tests. Not thread-safe.
 */
final class BusyboxEngine implements AutoCloseable {
    private final BuildEngine engine;

    private BusyboxEngine(BuildEngine engine) {
        this.engine = engine;
    }

    /** Skips the calling test unless running as root; the store goes to {@code temp/store}. */
    static BusyboxEngine create(Path temp) throws Exception {
        HostRequirements.requireRoot();
        BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        try {
            engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))),
                    "busybox:latest");
        } catch (Exception e) {
            engine.close();
            throw e;
        }
        return new BusyboxEngine(engine);
    }

    /** Builds {@code dockerfile} with {@code context} and tags the image {@code t:latest}. */
    BuildResult build(Path context, String dockerfile) throws Exception {
        return engine.build(BuildRequest.builder(context).dockerfileText(dockerfile).tag("t:latest").build())
                .get(5, TimeUnit.MINUTES);
    }

    /** Runs {@code command} in {@code t:latest}, asserting it exits 0; returns its output lines. */
    List<String> run(String... command) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        int code = engine.run("t:latest", List.of(command), (stream, line) -> out.add(line));
        assertEquals(0, code, out.toString());
        return out;
    }

    @Override
    public void close() {
        engine.close();
    }
}
