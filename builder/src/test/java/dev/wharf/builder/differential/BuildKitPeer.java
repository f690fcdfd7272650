package dev.wharf.builder.differential;

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
 * BuildKit as the private Docker daemon of {@code shared/tools/peers.sh} runs it ({@code DOCKER_BUILDKIT=1}), driven
 * through {@code peers.sh docker ...} and {@code peers.sh to-oci}. Missing, it skips the calling test with the reason,
 * except under {@code CI=true}, where that is a failure. Thread-safe (each call is its own process).
 */
final class BuildKitPeer {
    private final Path peers;

    private BuildKitPeer(Path peers) {
        this.peers = peers;
    }

    /** Returns the peer, or skips (fails under CI) when peers.sh or its daemon is not there. */
    static BuildKitPeer require() {
        Path peers = Path.of(System.getProperty("wharf.shared.dir", "/work/shared"), "tools", "peers.sh");
        String problem = null;
        if (!Files.isExecutable(peers)) {
            problem = "peers.sh not found at " + peers + " (set -Dwharf.shared.dir)";
        } else {
            try {
                new BuildKitPeer(peers).docker("version", "--format", "{{.Server.Version}}");
            } catch (IOException | AssertionError e) {
                problem = "the private Docker daemon does not answer (" + e.getMessage().strip()
                        + "); start it with peers.sh install && peers.sh start";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted";
            }
        }
        if (problem != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true requires BuildKit's peer: " + problem);
            }
            System.out.println("SKIPPED differential tests: " + problem);
            Assumptions.abort(problem);
        }
        return new BuildKitPeer(peers);
    }

    /** Runs {@code peers.sh docker ARGS}, failing on a non-zero exit; returns the combined output. */
    String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(peers.toString(), "docker"));
        command.addAll(List.of(args));
        return run(command, Map.of("DOCKER_BUILDKIT", "1"));
    }

    /** Writes the busybox root filesystem tarball of {@code peers.sh busybox-tar}. */
    void busyboxTar(Path file) throws IOException, InterruptedException {
        run(List.of(peers.toString(), "busybox-tar", file.toString()), Map.of());
    }

    /**
     * Writes an image of the daemon as the OCI layout inside its {@code docker save} archive (dockerd 25 and later
     * write one), which keeps the config blob as the daemon has it; {@code peers.sh to-oci} converts it with skopeo,
     * which drops what OCI configs lack (Healthcheck, Shell, OnBuild, ArgsEscaped).
     */
    void saveLayout(String image, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path tar = dir.resolve("saved.tar");
        docker("save", "-o", tar.toString(), image);
        run(List.of("tar", "-x", "-f", tar.toString(), "-C", dir.toString()), Map.of());
        Files.delete(tar);
        if (!Files.exists(dir.resolve("index.json"))) {
            throw new IOException("docker save of " + image + " has no index.json (dockerd older than 25?)");
        }
    }

    /** Removes images, ignoring errors (cleanup). */
    void removeImages(String... names) {
        List<String> args = new ArrayList<>(List.of("rmi", "-f"));
        args.addAll(List.of(names));
        try {
            docker(args.toArray(String[]::new));
        } catch (IOException | InterruptedException | AssertionError e) {
            // Cleanup only.
        }
    }

    private static String run(List<String> command, Map<String, String> env) throws IOException,
            InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        String text = new String(out);
        if (process.exitValue() != 0) {
            throw new IOException(command + " exited with " + process.exitValue() + ":\n" + text);
        }
        return text;
    }
}
