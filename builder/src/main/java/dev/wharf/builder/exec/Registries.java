package dev.wharf.builder.exec;

import dev.wharf.builder.api.RegistrySettings;
import dev.wharf.layers.registry.Credential;
import dev.wharf.layers.registry.CredentialProvider;
import dev.wharf.layers.registry.DockerConfigCredentials;
import dev.wharf.layers.registry.ProcessCredentialHelper;
import dev.wharf.layers.registry.RegistryClient;
import dev.wharf.layers.registry.RegistryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's one registry client, made on first use from its {@link RegistrySettings}: logins given through the
 * API first, then the Docker config file (with its credential helpers); loopback and the named insecure registries
 * over plain HTTP. One client per engine so its connection pool and token cache serve every build.
 *
 * <p>Thread-safe.
 */
final class Registries {
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

    private final RegistrySettings settings;
    private RegistryClient client;

    Registries(RegistrySettings settings) {
        this.settings = settings;
    }

    /** The client, made on first use (so builds from local images never touch registry settings). */
    synchronized RegistryClient client() {
        if (client == null) {
            client = RegistryClient.create(options(settings));
        }
        return client;
    }

    /** The registry client's options for the engine's settings. */
    static RegistryOptions options(RegistrySettings settings) {
        List<CredentialProvider> providers = new ArrayList<>();
        Map<String, Credential> logins = new TreeMap<>();
        settings.logins().forEach((registry, login) ->
                logins.put(registry, Credential.basic(login.username(), login.password())));
        providers.add(CredentialProvider.of(logins));
        settings.dockerConfig().ifPresent(file -> providers.add(new DockerConfigCredentials(file,
                new ProcessCredentialHelper(System.getenv(), HELPER_TIMEOUT))));
        return RegistryOptions.defaults().withCredentials(CredentialProvider.firstOf(providers))
                .withInsecureRegistries(settings.insecureRegistries());
    }
}
