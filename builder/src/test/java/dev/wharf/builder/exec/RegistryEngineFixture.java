package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.api.RegistrySettings;
import dev.wharf.builder.testing.HostRequirements;
import dev.wharf.layers.registry.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the registry end-to-end tests share: a real docker-registry (on a free 127.0.0.1 port, without auth) and
 * engines, each on a store of its own under the test's temp directory, all closed after each test. The engines run
 * steps, so the tests need root and skip without it.
 */
abstract class RegistryEngineFixture {
    @TempDir
    Path temp;

    LocalRegistry registry;
    /** Every engine made by {@link #engine}, in order. */
    final List<BuildEngine> engines = new ArrayList<>();

    @BeforeEach
    void startRegistry() throws Exception {
        HostRequirements.requireRoot();
        registry = LocalRegistry.start(Files.createDirectories(temp.resolve("registry")), new LocalRegistry.NoAuth());
    }

    @AfterEach
    void closeEnginesAndRegistry() throws Exception {
        engines.forEach(BuildEngine::close);
        stopRegistry();
    }

    /** Stops the registry now (a test that shows the registry is not asked); idempotent. */
    void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }

    /** An engine on the store {@code <temp>/<store>}, anonymous to registries. */
    BuildEngine engine(String store) {
        BuildEngine engine = BuildEngine.create(EngineOptions.of(temp.resolve(store))
                .withRegistry(RegistrySettings.anonymous()));
        engines.add(engine);
        return engine;
    }

    /** A new engine on {@code store} with the busybox test image imported offline as {@code name}. */
    BuildEngine engineWithBusybox(String store, String name) throws Exception {
        BuildEngine engine = engine(store);
        engine.importImage(BusyboxTarball.write(Files.createDirectories(temp.resolve("busybox"))), name);
        return engine;
    }

    /**
     * Pushes busybox to the registry as {@code <registry>/busybox:1} from the store {@code seed}: for the engines
     * made after it, the registry is then the only source.
     */
    void seedRegistryWithBusybox() throws Exception {
        String name = registry.host() + "/busybox:1";
        engineWithBusybox("seed", name).push(name, ProgressListener.none());
    }

    /** A new build context holding {@code dockerfile} alone. */
    Path context(String dockerfile) throws Exception {
        Path dir = Files.createTempDirectory(temp, "ctx-");
        Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        return dir;
    }

    /** The output lines of {@code command} run in {@code image} by {@code engine}, which must exit 0. */
    List<String> lines(BuildEngine engine, String image, String... command) throws Exception {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        assertEquals(0, engine.run(image, List.of(command), (stream, line) -> out.add(line)));
        return out;
    }
}
