package dev.wharf.layers.registry;

import java.util.Optional;

/**
 * Runs a {@code docker-credential-<name>} helper's {@code get} command: the server URL on standard input, a JSON
 * document {@code {"ServerURL", "Username", "Secret"}} on standard output.
 *
 * <p>Implementations are thread-safe. {@link ProcessCredentialHelper} runs the real program; tests may supply
 * their own.
 */
@FunctionalInterface
public interface CredentialHelper {
    /**
     * Asks helper {@code name} for the credential of {@code serverUrl}.
     *
     * @return the helper's JSON answer, or empty when it has no credential for that server
     * @throws RegistryException if the helper cannot be run or fails for another reason
     */
    Optional<String> get(String name, String serverUrl) throws RegistryException;
}
