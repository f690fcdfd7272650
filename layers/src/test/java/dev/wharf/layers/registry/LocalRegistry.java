package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.layers.testing.PeerTools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Distribution registry ({@code /usr/bin/docker-registry} from the Debian package {@code docker-registry})
 * started on a free 127.0.0.1 port with its storage in a temporary directory, for tests. Without the binary the
 * calling test is skipped (failed under {@code CI=true}). {@link #close()} stops the process and waits for it; a
 * shutdown hook makes sure no registry outlives the test JVM. Other modules' tests use it through wharf-layers'
 * test-jar.
 */
public final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    private final Thread shutdownHook;
    private final String hostName;
    private final InetAddress address;
    private final boolean tls;

    private LocalRegistry(Process process, int port, Path log, Thread shutdownHook, String hostName,
            InetAddress address, boolean tls) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.shutdownHook = shutdownHook;
        this.hostName = hostName;
        this.address = address;
        this.tls = tls;
    }

    /** How clients must authenticate. */
    public sealed interface Auth permits NoAuth, Htpasswd, Token {
    }

    /** Anonymous access. */
    public record NoAuth() implements Auth {
    }

    /** Basic auth against an htpasswd file with one user (written with {@code htpasswd -B}). */
    public record Htpasswd(String user, String password) implements Auth {
    }

    /** Bearer tokens from a token server whose signing certificate is in {@code rootCertBundle}. */
    public record Token(String realm, String service, String issuer, Path rootCertBundle) implements Auth {
    }

    /** Starts a registry with the given auth, keeping its files under {@code dir}. */
    public static LocalRegistry start(Path dir, Auth auth) throws IOException, InterruptedException {
        return start(dir, auth, "127.0.0.1", null, null);
    }

    /**
     * Starts an anonymous registry that serves HTTPS only, with the PEM {@code certificate} and its {@code key}, on
     * the address {@code hostName} resolves to; {@link #host()} is then {@code hostName:port}.
     */
    public static LocalRegistry startTls(Path dir, String hostName, Path certificate, Path key)
            throws IOException, InterruptedException {
        return start(dir, new NoAuth(), hostName, certificate, key);
    }

    private static LocalRegistry start(Path dir, Auth auth, String hostName, Path certificate, Path key)
            throws IOException, InterruptedException {
        InetAddress address = InetAddress.getByName(hostName);
        Path binary = PeerTools.require("docker-registry", "docker-registry");
        int port = freePort();
        Path storage = Files.createDirectories(dir.resolve("storage"));
        StringBuilder config = new StringBuilder()
                .append("version: 0.1\n")
                .append("log:\n  level: warn\n  accesslog:\n    disabled: true\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ").append(storage).append('\n')
                .append("  delete:\n    enabled: true\n")
                .append("http:\n  addr: ").append(address.getHostAddress().indexOf(':') >= 0
                        ? "[" + address.getHostAddress() + "]" : address.getHostAddress()).append(':').append(port)
                .append('\n')
                .append("  secret: wharf-test-secret\n");
        if (certificate != null) {
            config.append("  tls:\n    certificate: ").append(certificate).append("\n    key: ").append(key)
                    .append('\n');
        }
        if (auth instanceof Htpasswd h) {
            Path htpasswd = PeerTools.require("htpasswd", "apache2-utils");
            Process p = new ProcessBuilder(htpasswd.toString(), "-Bbn", h.user(), h.password())
                    .redirectErrorStream(true).start();
            byte[] line = p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                fail("htpasswd failed: " + new String(line, StandardCharsets.UTF_8));
            }
            Path file = dir.resolve("htpasswd");
            Files.write(file, line);
            config.append("auth:\n  htpasswd:\n    realm: wharf-test\n    path: ").append(file).append('\n');
        } else if (auth instanceof Token t) {
            config.append("auth:\n  token:\n")
                    .append("    realm: ").append(t.realm()).append('\n')
                    .append("    service: ").append(t.service()).append('\n')
                    .append("    issuer: ").append(t.issuer()).append('\n')
                    .append("    rootcertbundle: ").append(t.rootCertBundle()).append('\n');
        }
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config.toString());
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread hook = new Thread(process::destroyForcibly, "stop-test-registry");
        Runtime.getRuntime().addShutdownHook(hook);
        LocalRegistry registry = new LocalRegistry(process, port, log, hook, hostName, address, certificate != null);
        try {
            registry.awaitReady();
        } catch (IOException | RuntimeException | Error e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": "
                        + Files.readString(log));
            }
            if (tls) {
                // The test's certificate is not trusted here: ready when the port takes connections.
                try (Socket socket = new Socket(address, port)) {
                    return;
                } catch (IOException e) {
                    Thread.sleep(50);
                    continue;
                }
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(50);
        }
        throw new IOException("docker-registry did not answer on " + host() + " within 20 s: " + Files.readString(log));
    }

    /** Returns {@code 127.0.0.1:<port>} (for a TLS registry, {@code <its host name>:<port>}). */
    public String host() {
        return hostName + ":" + port;
    }

    /** Returns the registry's port. */
    public int port() {
        return port;
    }

    /** Parses {@code <host>/<path>} for this registry. */
    public ImageReference reference(String pathAndTag) throws InvalidReferenceException {
        return ImageReference.parse(host() + "/" + pathAndTag);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook runs anyway.
        }
    }
}
