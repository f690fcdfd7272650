package dev.wharf.builder.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a {@link BuildEngine} reaches registries when it pulls base images and pushes results: credentials given
 * through the API (they win), else those of a Docker client config file ({@code ~/.docker/config.json} with its
 * credential helpers, as {@code docker login} writes it), and the registries that may be reached over plain HTTP.
 *
 * <p>Immutable and thread-safe. Plain HTTP is only ever used for loopback registries ({@code localhost},
 * {@code 127.0.0.0/8}, {@code [::1]}) and for the registries named in {@code insecureRegistries}, like Docker's
 * {@code insecure-registries}; every other registry is HTTPS only.
 *
 * @param dockerConfig       the Docker client config file to read credentials from; empty reads none
 * @param logins             credentials per registry as named in references ({@code docker.io},
 *                           {@code localhost:5000}, {@code ghcr.io})
 * @param insecureRegistries registries ({@code host[:port]}) reached over plain HTTP
 */
public record RegistrySettings(Optional<Path> dockerConfig, Map<String, Login> logins,
                               Set<String> insecureRegistries) {

    /**
     * A user name and password (or token) for one registry. {@link #toString()} hides the password so it never
     * reaches a log.
     */
    public record Login(String username, String password) {
        public Login {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Login[username=" + username + ", password hidden]";
        }
    }

    public RegistrySettings {
        Objects.requireNonNull(dockerConfig, "dockerConfig");
        logins = Collections.unmodifiableMap(new TreeMap<>(logins));
        insecureRegistries = Collections.unmodifiableSet(new LinkedHashSet<>(insecureRegistries));
    }

    /**
     * Docker's defaults for an environment and home directory: credentials from {@code $DOCKER_CONFIG/config.json}
     * when {@code DOCKER_CONFIG} is set, else {@code ~/.docker/config.json}; no logins, no insecure registries.
     */
    public static RegistrySettings defaults(Map<String, String> environment, Path userHome) {
        return new RegistrySettings(Optional.of(
                dev.wharf.layers.registry.DockerConfigCredentials.defaultConfigFile(environment, userHome)),
                Map.of(), Set.of());
    }

    /** No credentials at all (anonymous access) and no insecure registries. */
    public static RegistrySettings anonymous() {
        return new RegistrySettings(Optional.empty(), Map.of(), Set.of());
    }

    /** Returns a copy reading credentials from another Docker config file (empty: none). */
    public RegistrySettings withDockerConfig(Optional<Path> value) {
        return new RegistrySettings(value, logins, insecureRegistries);
    }

    /** Returns a copy with a login for {@code registry} ({@code host[:port]}, {@code docker.io} for Docker Hub). */
    public RegistrySettings withLogin(String registry, String username, String password) {
        Map<String, Login> copy = new TreeMap<>(logins);
        copy.put(Objects.requireNonNull(registry, "registry"), new Login(username, password));
        return new RegistrySettings(dockerConfig, copy, insecureRegistries);
    }

    /** Returns a copy that may also reach {@code registry} ({@code host[:port]}) over plain HTTP. */
    public RegistrySettings withInsecureRegistry(String registry) {
        Set<String> copy = new LinkedHashSet<>(insecureRegistries);
        copy.add(Objects.requireNonNull(registry, "registry"));
        return new RegistrySettings(dockerConfig, logins, copy);
    }
}
