package dev.wharf.layers.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Gates tests that need root (chown, device nodes, trusted xattrs, mount): they are skipped with a notice otherwise,
 * except under {@code CI=true}, where CI runs as root and a missing privilege is a failure.
 */
public final class RootOnly {
    private RootOnly() {
    }

    /** Skips (fails under CI) the calling test unless {@code condition} holds. */
    public static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(what + " is not available, and CI=true requires it");
        }
        System.out.println("SKIPPED: " + what + " is not available");
        Assumptions.abort(what + " is not available");
    }
}
