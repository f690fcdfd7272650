package dev.wharf.layers.archive;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The private Docker daemon of {@code shared/tools/peers.sh} ({@code peers.sh install; peers.sh start}), reached at
 * {@code $WHARF_TEST_DOCKER_HOST}, else at {@code unix://$PEERS_DIR/docker.sock} ({@code PEERS_DIR} defaults to
 * {@code /tmp/wharf-peers}, as in peers.sh). Tests that need it are skipped with the reason when it does not answer,
 * except under {@code CI=true}, where that is a failure.
 */
final class DockerPeer {
    private final String client;
    private final Map<String, String> env;

    private DockerPeer(String client, Map<String, String> env) {
        this.client = client;
        this.env = env;
    }

    /** Returns the daemon, or skips (fails under CI) the calling test when it is not reachable. */
    static DockerPeer require() {
        String host = System.getenv("WHARF_TEST_DOCKER_HOST");
        if (host == null || host.isEmpty()) {
            String peers = System.getenv("PEERS_DIR");
            host = "unix://" + (peers == null || peers.isEmpty() ? "/tmp/wharf-peers" : peers) + "/docker.sock";
        }
        // peers.sh uses Debian's client (docker.io), which talks to both of its daemons.
        String client = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
        DockerPeer peer = new DockerPeer(client, Map.of("DOCKER_HOST", host, "DOCKER_BUILDKIT", "1"));
        String problem = peer.ping();
        if (problem != null) {
            String message = "the private Docker daemon at " + host + " is not reachable (" + problem
                    + "); start it with shared/tools/peers.sh install && peers.sh start";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + "; CI=true requires it");
            }
            System.out.println("SKIPPED: " + message);
            Assumptions.abort(message);
        }
        return peer;
    }

    private String ping() {
        try {
            ProcessBuilder builder = new ProcessBuilder(client, "version", "--format", "{{.Server.Version}}")
                    .redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "docker version timed out";
            }
            String out = new String(process.getInputStream().readAllBytes()).trim();
            return process.exitValue() == 0 ? null : out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Runs the docker client with {@code args}, failing on a non-zero exit; returns stdout. */
    String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(client);
        command.addAll(List.of(args));
        return ArchiveTestSupport.run(command, env);
    }

    /** Removes images, ignoring errors (cleanup). */
    void removeImages(String... names) {
        for (String name : names) {
            try {
                docker("rmi", "-f", name);
            } catch (IOException | InterruptedException | AssertionError e) {
                // Cleanup only.
            }
        }
    }
}
