package dev.wharf.maven;

import dev.wharf.builder.api.RegistrySettings;
import java.util.List;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Registry credentials from Maven's {@code settings.xml}, as Jib takes them: a {@code <server>} whose {@code <id>}
 * is the registry's host ({@code ghcr.io}, {@code localhost:5000}, {@code docker.io} for Docker Hub) gives its
 * user name and password (decrypted with {@code settings-security.xml} when encrypted). Registries without such a
 * server fall back to Docker's config file ({@code ~/.docker/config.json}).
 *
 * <p>Stateless and thread-safe.
 */
final class MavenRegistryLogins {
    private MavenRegistryLogins() {
    }

    /**
     * The engine's registry settings: Docker's defaults plus one login per server of {@code settings} that has a
     * user name and password.
     *
     * @param decrypter decrypts encrypted passwords; null leaves them as written
     */
    static RegistrySettings settings(RegistrySettings defaults, Settings settings, SettingsDecrypter decrypter) {
        RegistrySettings out = defaults;
        if (settings == null) {
            return out;
        }
        List<Server> servers = settings.getServers();
        if (decrypter != null && !servers.isEmpty()) {
            SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(settings));
            servers = result.getServers();
        }
        for (Server server : servers) {
            if (server.getId() != null && server.getUsername() != null && server.getPassword() != null) {
                out = out.withLogin(server.getId(), server.getUsername(), server.getPassword());
            }
        }
        return out;
    }
}
