package dev.wharf.layers.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates independent tools (skopeo, umoci, ...) that tests use to check wharf's output. When a tool is missing the
 * test is skipped with a notice naming it, except under {@code CI=true}, where a missing tool is a failure: CI must
 * install it (see {@code .ci/run}).
 */
public final class PeerTools {
    private PeerTools() {
    }

    /** Returns the tool's path on {@code PATH}, or skips (fails under CI) the calling test. */
    public static Path require(String tool) {
        return require(tool, tool);
    }

    /**
     * Returns the tool's path on {@code PATH}, or skips (fails under CI) the calling test, naming the Debian package
     * that provides it.
     */
    public static Path require(String tool, String debianPackage) {
        Optional<Path> found = find(tool);
        if (found.isPresent()) {
            return found.get();
        }
        String message = tool + " is not installed (not found on PATH); install it to run this check "
                + "(Debian/Ubuntu: apt-get install " + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + "; CI=true requires every peer tool");
        }
        System.out.println("SKIPPED: " + message);
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    private static Optional<Path> find(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
