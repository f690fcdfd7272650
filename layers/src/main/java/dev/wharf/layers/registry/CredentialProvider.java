package dev.wharf.layers.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Supplies the credential to use for a registry, e.g. from {@code ~/.docker/config.json}
 * ({@link DockerConfigCredentials}) or given through the API.
 *
 * <p>Implementations are thread-safe; the client asks once per registry host and authentication round.
 */
@FunctionalInterface
public interface CredentialProvider {
    /**
     * Returns the credential for a registry, or empty to go anonymous.
     *
     * @param registry the registry as named in image references, e.g. {@code docker.io} or {@code localhost:5000}
     * @throws RegistryException if a configured source of credentials fails (e.g. a credential helper crashes)
     */
    Optional<Credential> credentialFor(String registry) throws RegistryException;

    /** Returns a provider that has no credentials: every registry is accessed anonymously. */
    static CredentialProvider anonymous() {
        return registry -> Optional.empty();
    }

    /** Returns a provider with fixed credentials per registry (as named in references, e.g. {@code docker.io}). */
    static CredentialProvider of(Map<String, Credential> credentials) {
        Map<String, Credential> copy = Map.copyOf(credentials);
        return registry -> Optional.ofNullable(copy.get(registry));
    }

    /** Returns a provider asking each of the given providers in order, taking the first credential found. */
    static CredentialProvider firstOf(List<CredentialProvider> providers) {
        List<CredentialProvider> copy = List.copyOf(providers);
        return registry -> {
            for (CredentialProvider provider : copy) {
                Optional<Credential> found = provider.credentialFor(registry);
                if (found.isPresent()) {
                    return found;
                }
            }
            return Optional.empty();
        };
    }
}
