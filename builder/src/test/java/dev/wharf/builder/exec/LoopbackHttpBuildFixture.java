package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.builder.testing.LoopbackHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of remote {@code ADD} sources share: an engine on a store of its own, a real loopback HTTP server
 * ({@link LoopbackHttp}) and an empty build context directory, closed after each test. The engine runs steps, so the
 * tests need root and skip without it.
 */
abstract class LoopbackHttpBuildFixture {
    @TempDir
    Path temp;

    BuildEngine engine;
    LoopbackHttp http;
    /** The build context: empty until a test writes its Dockerfile. */
    Path context;

    @BeforeEach
    void startEngineAndServer() throws Exception {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        http = LoopbackHttp.start();
        context = Files.createDirectories(temp.resolve("ctx"));
    }

    @AfterEach
    void closeServerAndEngine() {
        if (http != null) {
            http.close();
        }
        if (engine != null) {
            engine.close();
        }
    }
}
