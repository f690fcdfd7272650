package dev.wharf.grammar;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds BuildKit's conformance data in {@code ../shared/conformance}, read in place (never copied into the repo).
 *
 * <p>The parent POM passes {@code -Dwharf.shared.dir}; without it the directory is searched upwards from the
 * working directory. When the data is absent the calling test is skipped with a notice, except under
 * {@code CI=true}, where it fails: CI must run all of it.
 */
public final class Conformance {

    private Conformance() {
    }

    /** The {@code buildkit/} directory of the conformance data; skips (or fails under CI) when absent. */
    public static Path buildkit() {
        Path root = locate();
        if (root == null) {
            String notice = "conformance data not found (looked for ../shared/conformance beside the checkout); "
                    + "BuildKit conformance cases skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(notice + " -- under CI=true this is an error");
            }
            System.err.println("NOTICE: " + notice);
            Assumptions.abort(notice);
        }
        return root.resolve("buildkit");
    }

    private static Path locate() {
        String configured = System.getProperty("wharf.shared.dir");
        if (configured != null && !configured.isBlank()) {
            Path candidate = Paths.get(configured, "conformance");
            if (Files.isDirectory(candidate.resolve("buildkit"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("conformance");
            if (Files.isDirectory(candidate.resolve("buildkit"))) {
                return candidate.normalize();
            }
        }
        return null;
    }
}
