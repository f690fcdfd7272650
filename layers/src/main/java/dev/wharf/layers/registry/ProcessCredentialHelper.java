package dev.wharf.layers.registry;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CredentialHelper} that runs {@code docker-credential-<name> get} as a process, found on the {@code PATH}
 * of the environment it was given (never the JVM's own environment, which callers pass in explicitly).
 *
 * <p>Immutable and thread-safe. Follows docker-credential-helpers' {@code client.Get}: a helper that prints
 * {@code credentials not found in native keychain} has no credential (not an error).
 */
public final class ProcessCredentialHelper implements CredentialHelper {
    /** The message helpers print when they hold no credential for a server (credentials.errCredentialsNotFound). */
    static final String NOT_FOUND = "credentials not found in native keychain";

    private final Map<String, String> environment;
    private final Duration timeout;

    /**
     * Makes a runner.
     *
     * @param environment the environment the helper runs in; its {@code PATH} is searched for the helper
     * @param timeout how long a helper may take before it is killed
     */
    public ProcessCredentialHelper(Map<String, String> environment, Duration timeout) {
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    @Override
    public Optional<String> get(String name, String serverUrl) throws RegistryException {
        String program = "docker-credential-" + name;
        Path executable = find(program).orElseThrow(() -> new RegistryException("credential helper " + program
                + " (configured in the Docker config file) is not on PATH; install it or remove it from the config"));
        ProcessBuilder builder = new ProcessBuilder(executable.toString(), "get");
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new RegistryException("cannot run credential helper " + executable + ": " + e.getMessage(), e);
        }
        try {
            CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            try (OutputStream in = process.getOutputStream()) {
                in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RegistryException("credential helper " + executable + " did not answer within " + timeout
                        + " for " + serverUrl + "; check that it does not wait for input (e.g. a locked keychain)");
            }
            String text = new String(output.get(timeout.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8)
                    .trim();
            if (process.exitValue() != 0) {
                if (text.contains(NOT_FOUND)) {
                    return Optional.empty();
                }
                throw new RegistryException("credential helper " + executable + " failed for " + serverUrl
                        + " (exit " + process.exitValue() + "): " + text);
            }
            return Optional.of(text);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new RegistryException("cannot talk to credential helper " + executable + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting for credential helper " + executable, e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private Optional<Path> find(String program) {
        String path = environment.get("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
