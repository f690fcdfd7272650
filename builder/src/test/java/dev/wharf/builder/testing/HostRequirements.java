package dev.wharf.builder.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wharf.builder.sandbox.Executables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test preconditions that depend on the host (root, overlayfs, runc, busybox): a test skips with the reason when one
 * is missing, except under {@code CI=true}, where a missing precondition fails the test, because CI installs them
 * (runc, crun, busybox-static, uidmap).
 */
public final class HostRequirements {
    private HostRequirements() {
    }

    /** Requires {@code condition}; {@code reason} says what is missing and how to get it. */
    public static void require(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true and a host requirement is missing: " + reason);
        }
        assumeTrue(false, "skipped: " + reason);
    }

    /** Requires uid 0. */
    public static void requireRoot() {
        boolean root = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    root = line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            root = false;
        }
        require(root, "these tests need root (namespaces, mounts); run the build as root");
    }

    /** Requires a program on PATH and returns its path. */
    public static Path requireTool(String name, String install) {
        var found = Executables.fromEnvironment().find(name);
        require(found.isPresent(), "`" + name + "` is not on PATH; " + install);
        return found.orElseThrow();
    }
}
