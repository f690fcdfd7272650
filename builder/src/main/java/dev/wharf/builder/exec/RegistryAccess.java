package dev.wharf.builder.exec;

import dev.wharf.layers.registry.CredentialProvider;
import dev.wharf.layers.registry.DockerConfigCredentials;
import dev.wharf.layers.registry.ProcessCredentialHelper;
import dev.wharf.layers.registry.RegistryClient;
import dev.wharf.layers.registry.RegistryOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The registry client of an engine, made on first use: credentials from Docker's config file
 * ({@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}, with its credential helpers), plain HTTP for
 * loopback registries only. The seam where the builder reads the process environment for registries.
 *
 * <p>Thread-safe; one client (connection pool, token cache) is shared by every build of the engine.
 */
final class RegistryAccess implements Supplier<RegistryClient> {
    private volatile RegistryClient client;

    @Override
    public RegistryClient get() {
        RegistryClient existing = client;
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            if (client == null) {
                Map<String, String> env = System.getenv();
                Path home = Path.of(System.getProperty("user.home"));
                CredentialProvider credentials = new DockerConfigCredentials(
                        DockerConfigCredentials.defaultConfigFile(env, home),
                        new ProcessCredentialHelper(env, Duration.ofSeconds(30)));
                client = RegistryClient.create(RegistryOptions.defaults().withCredentials(credentials));
            }
            return client;
        }
    }
}
